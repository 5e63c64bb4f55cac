// Shape: tensor dimensions, outermost first. -1 marks a variable dimension in a model's declared
// shapes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace inferd {

using Shape = std::vector<int64_t>;

// Number of elements; nullopt when a dimension is negative or the product overflows int64.
std::optional<int64_t> ElementCount(const Shape& shape);

// "[1,8,8,1]" — the form every error message uses.
std::string ShapeToString(const Shape& shape);

// True when `actual` matches `declared`, where -1 in `declared` matches any size.
bool ShapeMatches(const Shape& declared, const Shape& actual);

}  // namespace inferd
