// FP32 functions whose GLSL built-ins are loose where TOSA's compliance bounds are tight.
// - Log: GLSL leaves log undefined for x <= 0; the specification's results there are -inf at
//   zero and NaN below.
// - Rsqrt: inversesqrt is undefined at -0, where the specification (x < 0 tested first) gives
//   1 / sqrt(-0) = -inf.
// - Tanh: tanh written as (e^2x - 1) / (e^2x + 1) loses all relative precision near 0; Cephes'
//   tanhf uses a polynomial below |x| = 0.625 and 1 - 2 / (e^2|x| + 1) above (about 2 ulp).
// - Erf: GLSL has none. A Taylor series below |x| = 0.5 (all terms shrink, no cancellation), and
//   above it 1 - erfc with Numerical Recipes' erfcc (fractional error below 1.2e-7).
float Log(float x) {
  if (x < 0.0 || isnan(x)) return uintBitsToFloat(0x7FC00000u);
  if (x == 0.0) return uintBitsToFloat(0xFF800000u);
  return log(x);
}

float Rsqrt(float x) {
  if (x < 0.0 || isnan(x)) return uintBitsToFloat(0x7FC00000u);
  if (x == 0.0) return 1.0 / x;
  return 1.0 / sqrt(x);
}

float Tanh(float x) {
  if (isnan(x)) return x;
  const float z = abs(x);
  if (z < 0.625) {
    const float s = x * x;
    return ((((-5.70498872745e-3 * s + 2.06390887954e-2) * s - 5.37397155531e-2) * s +
             1.33314422036e-1) * s - 3.33332819422e-1) * s * x + x;
  }
  const float result = 1.0 - 2.0 / (exp(2.0 * z) + 1.0);
  return x < 0.0 ? -result : result;
}

float Erf(float x) {
  if (isnan(x)) return x;
  const float z = abs(x);
  if (z < 0.5) {
    // 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)); eight terms reach below 1e-9 here.
    const float s = x * x;
    float term = x;
    float sum = x;
    for (int n = 1; n < 8; ++n) {
      term *= -s / float(n);
      sum += term / float(2 * n + 1);
    }
    return 1.1283791670955126 * sum;
  }
  const float t = 1.0 / (1.0 + 0.5 * z);
  const float erfc =
      t * exp(-z * z - 1.26551223 +
              t * (1.00002368 +
                   t * (0.37409196 +
                        t * (0.09678418 +
                             t * (-0.18628806 +
                                  t * (0.27886807 +
                                       t * (-1.13520398 +
                                            t * (1.48851587 +
                                                 t * (-0.82215223 + t * 0.17087277)))))))));
  const float result = 1.0 - erfc;
  return x < 0.0 ? -result : result;
}
