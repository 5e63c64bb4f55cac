// Broadcasting over rank-6 coordinates: an output element's coordinates (dims right-aligned to
// rank 6, leading dimensions 1), and an operand's element offset at them through its strides (a
// stride of 0 repeats the operand along a dimension where it has size 1).
void Coordinates(uint index, int dims[6], out int coordinates[6]) {
  uint rest = index;
  for (int d = 5; d >= 0; --d) {
    coordinates[d] = int(rest % uint(dims[d]));
    rest /= uint(dims[d]);
  }
}

int Offset(int coordinates[6], int strides[6]) {
  int offset = 0;
  for (int d = 0; d < 6; ++d) offset += coordinates[d] * strides[d];
  return offset;
}
