// curate's optional native kernels for TensorFlow.js's cpu backend (src/train/native.ts and
// src/train/cpu-kernels.ts register them): a batched single-precision matrix multiply on the backend's own
// Float32Arrays, through OpenBLAS's cblas_sgemm when the build found it (CURATE_HAVE_CBLAS), else a
// cache-blocked loop the compiler vectorizes; the bias-fused matmul; causal attention over [B*H] heads read
// straight out of the QKV matmul's output (no transposes, no split); and the element-wise kernels of a
// training step (GELU, LayerNorm, causal softmax, cross-entropy, AdamW, broadcast add/sub/mul/div, column
// sums) as plain loops that -O3 -march=native vectorizes, with a polynomial exp that vectorizes too.
// Every kernel computes in a fixed order (deterministic; exact resume relies on it). Plain N-API
// (node_api.h): no node-addon-api, no node-gyp, built by native/build.mjs.
#include <node_api.h>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#ifdef CURATE_HAVE_CBLAS
#include <cblas.h>
extern "C" void openblas_set_num_threads(int);
extern "C" int openblas_get_num_threads(void);
#endif

namespace {

// C[m x n] = op(A)[m x k] * op(B)[k x n] + beta * C, row-major with leading dimensions; op transposes when set
void gemm(const float* a, const float* b, float* c, int m, int n, int k, bool ta, bool tb, int lda, int ldb, int ldc, float beta) {
#ifdef CURATE_HAVE_CBLAS
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a, lda, b, ldb, beta,
              c, ldc);
#else
  // B as [k x n] contiguous, A read as a(i, p); the inner loop over j is unit-stride and vectorizes
  std::vector<float> bt(static_cast<size_t>(k) * n);
  for (int p = 0; p < k; p++)
    for (int j = 0; j < n; j++) bt[static_cast<size_t>(p) * n + j] = tb ? b[static_cast<size_t>(j) * ldb + p] : b[static_cast<size_t>(p) * ldb + j];
  for (int i = 0; i < m; i++) {
    float* ci = c + static_cast<size_t>(i) * ldc;
    if (beta == 0.0f)
      for (int j = 0; j < n; j++) ci[j] = 0.0f;
    else if (beta != 1.0f)
      for (int j = 0; j < n; j++) ci[j] *= beta;
  }
  const int KB = 128;
  for (int p0 = 0; p0 < k; p0 += KB) {
    const int p1 = p0 + KB < k ? p0 + KB : k;
    for (int i = 0; i < m; i++) {
      float* ci = c + static_cast<size_t>(i) * ldc;
      for (int p = p0; p < p1; p++) {
        const float av = ta ? a[static_cast<size_t>(p) * lda + i] : a[static_cast<size_t>(i) * lda + p];
        const float* bp = bt.data() + static_cast<size_t>(p) * n;
        for (int j = 0; j < n; j++) ci[j] += av * bp[j];
      }
    }
  }
#endif
}

// ---- exp that vectorizes (Cephes' expf: range reduction by ln 2, degree-6 polynomial; ~1 ulp) ----
inline float fexp(float x) {
  x = x < -87.33654f ? -87.33654f : x;
  x = x > 88.72283f ? 88.72283f : x;
  // n = round(x / ln 2) by the 1.5 * 2^23 trick (floorf would not vectorize without -fno-trapping-math)
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  x = x - n * 0.693359375f + n * 2.12194440e-4f;
  float y = 1.9875691500e-4f;
  y = y * x + 1.3981999507e-3f;
  y = y * x + 8.3334519073e-3f;
  y = y * x + 4.1665795894e-2f;
  y = y * x + 1.6666665459e-1f;
  y = y * x + 5.0000001201e-1f;
  y = y * x * x + x + 1.0f;
  const int32_t e = (static_cast<int32_t>(n) + 127) << 23;
  float s;
  std::memcpy(&s, &e, sizeof s);
  return y * s;
}

// tanh(u) = 1 - 2 / (exp(2u) + 1): saturates to +-1 without overflow
inline float ftanh(float u) { return 1.0f - 2.0f / (fexp(2.0f * u) + 1.0f); }

constexpr float GELU_C = 0.7978845608028654f;  // sqrt(2 / pi)

// ---- argument helpers ----
template <typename T>
bool typed(napi_env env, napi_value v, napi_typedarray_type want, T** data, size_t* length) {
  napi_typedarray_type type;
  void* raw;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, &raw, &buffer, &offset) != napi_ok || type != want) {
    napi_throw_type_error(env, nullptr, want == napi_float32_array ? "expected a Float32Array" : "expected an Int32Array");
    return false;
  }
  *data = static_cast<T*>(raw);
  return true;
}

struct Args {
  napi_env env;
  size_t argc = 16;
  napi_value argv[16];
  bool ok = true;
  Args(napi_env e, napi_callback_info info, size_t want, const char* name) : env(e) {
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    if (argc != want) {
      napi_throw_error(env, nullptr, name);
      ok = false;
    }
  }
  float* f(size_t i, size_t* len) {
    float* p = nullptr;
    if (ok && !typed(env, argv[i], napi_float32_array, &p, len)) ok = false;
    return p;
  }
  int32_t* i32(size_t i, size_t* len) {
    int32_t* p = nullptr;
    if (ok && !typed(env, argv[i], napi_int32_array, &p, len)) ok = false;
    return p;
  }
  int32_t n(size_t i) {
    int32_t out = 0;
    napi_get_value_int32(env, argv[i], &out);
    return out;
  }
  double d(size_t i) {
    double out = 0;
    napi_get_value_double(env, argv[i], &out);
    return out;
  }
  bool b(size_t i) {
    bool out = false;
    napi_get_value_bool(env, argv[i], &out);
    return out;
  }
  bool check(bool cond) {
    if (ok && !cond) {
      napi_throw_range_error(env, nullptr, "curate_native: array sizes do not match the shapes");
      ok = false;
    }
    return ok;
  }
};

// sgemmBatched(a, b, out, batch, m, n, k, transA, transB, strideA, strideB): out[i] = op(a[i*sA]) op(b[i*sB]);
// a stride of 0 broadcasts one matrix over the batch
napi_value SgemmBatched(napi_env env, napi_callback_info info) {
  Args x(env, info, 11, "sgemmBatched takes 11 arguments");
  if (!x.ok) return nullptr;
  size_t la, lb, lc;
  float* a = x.f(0, &la);
  float* b = x.f(1, &lb);
  float* c = x.f(2, &lc);
  if (!x.ok) return nullptr;
  const int batch = x.n(3), m = x.n(4), n = x.n(5), k = x.n(6);
  const bool ta = x.b(7), tb = x.b(8);
  const int64_t sa = x.n(9), sb = x.n(10);
  const int64_t mk = static_cast<int64_t>(m) * k, kn = static_cast<int64_t>(k) * n, mn = static_cast<int64_t>(m) * n;
  if (!x.check(batch >= 0 && m >= 0 && n >= 0 && k >= 0 && static_cast<int64_t>(lc) >= batch * mn &&
               (batch == 0 || (static_cast<int64_t>(la) >= (batch - 1) * sa + mk && static_cast<int64_t>(lb) >= (batch - 1) * sb + kn))))
    return nullptr;
  for (int i = 0; i < batch; i++) gemm(a + i * sa, b + i * sb, c + i * mn, m, n, k, ta, tb, ta ? m : k, tb ? k : n, n, 0.0f);
  return nullptr;
}

// matmulBias(a, b, bias, out, m, n, k, transA, transB): out = op(a) op(b) + bias (bias of n values, or of 1)
napi_value MatmulBias(napi_env env, napi_callback_info info) {
  Args x(env, info, 9, "matmulBias takes 9 arguments");
  if (!x.ok) return nullptr;
  size_t la, lb, lbias, lc;
  float* a = x.f(0, &la);
  float* b = x.f(1, &lb);
  float* bias = x.f(2, &lbias);
  float* c = x.f(3, &lc);
  if (!x.ok) return nullptr;
  const int m = x.n(4), n = x.n(5), k = x.n(6);
  const bool ta = x.b(7), tb = x.b(8);
  if (!x.check(m >= 0 && n >= 0 && k >= 0 && la >= static_cast<size_t>(m) * k && lb >= static_cast<size_t>(k) * n &&
               lc >= static_cast<size_t>(m) * n && (lbias == static_cast<size_t>(n) || lbias == 1)))
    return nullptr;
  for (int i = 0; i < m; i++) {
    float* ci = c + static_cast<size_t>(i) * n;
    if (lbias == 1)
      for (int j = 0; j < n; j++) ci[j] = bias[0];
    else
      std::memcpy(ci, bias, sizeof(float) * n);
  }
  gemm(a, b, c, m, n, k, ta, tb, ta ? m : k, tb ? k : n, n, 1.0f);
  return nullptr;
}

// causal softmax of scale * row over columns j <= i of one [T x T] block, in place (row stride ld); the
// masked part is left as it is (zeros in a fresh buffer)
inline void causal_rows(float* s, int T, int ld, float scale) {
  for (int i = 0; i < T; i++) {
    float* r = s + static_cast<size_t>(i) * ld;
    float mx = r[0];
    for (int j = 1; j <= i; j++) mx = r[j] > mx ? r[j] : mx;
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (int j = 0; j <= i; j++) {
      const float e = fexp(scale * (r[j] - mx));
      r[j] = e;
      sum += e;
    }
    const float inv = 1.0f / sum;
    for (int j = 0; j <= i; j++) r[j] *= inv;
    for (int j = i + 1; j < T; j++) r[j] = 0.0f;
  }
}

// attention(qkv [B*T, 3d], y [B*T, d], att [B*H, T, T], B, T, H, scale): per sequence b and head h,
// att = causal softmax(scale * Q K^T), y[:, h] = att V; Q, K, V are the column blocks of qkv
napi_value Attention(napi_env env, napi_callback_info info) {
  Args x(env, info, 7, "attention takes 7 arguments");
  if (!x.ok) return nullptr;
  size_t lq, ly, la;
  float* qkv = x.f(0, &lq);
  float* y = x.f(1, &ly);
  float* att = x.f(2, &la);
  if (!x.ok) return nullptr;
  const int B = x.n(3), T = x.n(4), H = x.n(5);
  const float scale = static_cast<float>(x.d(6));
  if (!x.check(B > 0 && T > 0 && H > 0 && ly % (static_cast<size_t>(B) * T) == 0)) return nullptr;
  const int d = static_cast<int>(ly / (static_cast<size_t>(B) * T));
  const int dh = d / H;
  if (!x.check(dh * H == d && lq == static_cast<size_t>(B) * T * 3 * d && la == static_cast<size_t>(B) * H * T * T)) return nullptr;
  for (int b = 0; b < B; b++)
    for (int h = 0; h < H; h++) {
      const float* q = qkv + static_cast<size_t>(b) * T * 3 * d + h * dh;
      float* s = att + (static_cast<size_t>(b) * H + h) * T * T;
      gemm(q, q + d, s, T, T, dh, false, true, 3 * d, 3 * d, T, 0.0f);
      causal_rows(s, T, T, scale);
      gemm(s, q + 2 * d, y + static_cast<size_t>(b) * T * d + h * dh, T, dh, T, false, false, T, 3 * d, d, 0.0f);
    }
  return nullptr;
}

// attentionGrad(qkv, att, dy [B*T, d], dqkv [B*T, 3d], B, T, H, scale)
napi_value AttentionGrad(napi_env env, napi_callback_info info) {
  Args x(env, info, 8, "attentionGrad takes 8 arguments");
  if (!x.ok) return nullptr;
  size_t lq, la, ly, ldq;
  float* qkv = x.f(0, &lq);
  float* att = x.f(1, &la);
  float* dy = x.f(2, &ly);
  float* dqkv = x.f(3, &ldq);
  if (!x.ok) return nullptr;
  const int B = x.n(4), T = x.n(5), H = x.n(6);
  const float scale = static_cast<float>(x.d(7));
  if (!x.check(B > 0 && T > 0 && H > 0 && ly % (static_cast<size_t>(B) * T) == 0)) return nullptr;
  const int d = static_cast<int>(ly / (static_cast<size_t>(B) * T));
  const int dh = d / H;
  if (!x.check(dh * H == d && lq == static_cast<size_t>(B) * T * 3 * d && ldq == lq && la == static_cast<size_t>(B) * H * T * T)) return nullptr;
  std::vector<float> ds(static_cast<size_t>(T) * T);
  for (int b = 0; b < B; b++)
    for (int h = 0; h < H; h++) {
      const size_t row0 = static_cast<size_t>(b) * T;
      const float* q = qkv + row0 * 3 * d + h * dh;
      const float* dyh = dy + row0 * d + h * dh;
      float* dq = dqkv + row0 * 3 * d + h * dh;
      const float* a = att + (static_cast<size_t>(b) * H + h) * T * T;
      // dA = dY V^T; dV = A^T dY
      gemm(dyh, q + 2 * d, ds.data(), T, T, dh, false, true, d, 3 * d, T, 0.0f);
      gemm(a, dyh, dq + 2 * d, T, dh, T, true, false, T, d, 3 * d, 0.0f);
      // dS = scale * A * (dA - sum_j dA A) per row (causal: j <= i)
      for (int i = 0; i < T; i++) {
        float* r = ds.data() + static_cast<size_t>(i) * T;
        const float* ar = a + static_cast<size_t>(i) * T;
        float dot = 0.0f;
#pragma omp simd reduction(+ : dot)
        for (int j = 0; j <= i; j++) dot += r[j] * ar[j];
        for (int j = 0; j <= i; j++) r[j] = scale * ar[j] * (r[j] - dot);
        for (int j = i + 1; j < T; j++) r[j] = 0.0f;
      }
      // dQ = dS K; dK = dS^T Q
      gemm(ds.data(), q + d, dq, T, dh, T, false, false, T, 3 * d, 3 * d, 0.0f);
      gemm(ds.data(), q, dq + d, T, dh, T, true, false, T, 3 * d, 3 * d, 0.0f);
    }
  return nullptr;
}

// gelu(x, out)
napi_value Gelu(napi_env env, napi_callback_info info) {
  Args x(env, info, 2, "gelu takes 2 arguments");
  size_t n, no;
  const float* s = x.f(0, &n);
  float* o = x.f(1, &no);
  if (!x.ok || !x.check(no == n)) return nullptr;
#pragma omp simd
  for (size_t i = 0; i < n; i++) {
    const float v = s[i];
    o[i] = 0.5f * v * (1.0f + ftanh(GELU_C * (v + 0.044715f * v * v * v)));
  }
  return nullptr;
}

// geluGrad(x, dy, out)
napi_value GeluGrad(napi_env env, napi_callback_info info) {
  Args x(env, info, 3, "geluGrad takes 3 arguments");
  size_t n, ng, no;
  const float* s = x.f(0, &n);
  const float* g = x.f(1, &ng);
  float* o = x.f(2, &no);
  if (!x.ok || !x.check(no == n && ng == n)) return nullptr;
#pragma omp simd
  for (size_t i = 0; i < n; i++) {
    const float v = s[i];
    const float t = ftanh(GELU_C * (v + 0.044715f * v * v * v));
    o[i] = g[i] * (0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * GELU_C * (1.0f + 3.0f * 0.044715f * v * v));
  }
  return nullptr;
}

// layerNorm(x, g, b, y, xhat, rstd, eps): over rows of g.length values
napi_value LayerNorm(napi_env env, napi_callback_info info) {
  Args x(env, info, 7, "layerNorm takes 7 arguments");
  size_t n, C, lb, ly, lh, lr;
  const float* s = x.f(0, &n);
  const float* g = x.f(1, &C);
  const float* bb = x.f(2, &lb);
  float* y = x.f(3, &ly);
  float* xh = x.f(4, &lh);
  float* rstd = x.f(5, &lr);
  if (!x.ok || !x.check(C > 0 && n % C == 0 && lb == C && ly == n && lh == n && lr == n / C)) return nullptr;
  const float eps = static_cast<float>(x.d(6));
  const size_t R = n / C;
  for (size_t r = 0; r < R; r++) {
    const float* xr = s + r * C;
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (size_t j = 0; j < C; j++) sum += xr[j];
    const float mean = sum / static_cast<float>(C);
    float var = 0.0f;
#pragma omp simd reduction(+ : var)
    for (size_t j = 0; j < C; j++) var += (xr[j] - mean) * (xr[j] - mean);
    const float rs = 1.0f / std::sqrt(var / static_cast<float>(C) + eps);
    rstd[r] = rs;
    float* yr = y + r * C;
    float* hr = xh + r * C;
    for (size_t j = 0; j < C; j++) {
      const float h = (xr[j] - mean) * rs;
      hr[j] = h;
      yr[j] = h * g[j] + bb[j];
    }
  }
  return nullptr;
}

// layerNormGrad(dy, xhat, rstd, g, dx, dg, db)
napi_value LayerNormGrad(napi_env env, napi_callback_info info) {
  Args x(env, info, 7, "layerNormGrad takes 7 arguments");
  size_t n, lh, lr, C, lx, lg, lb;
  const float* d = x.f(0, &n);
  const float* h = x.f(1, &lh);
  const float* rs = x.f(2, &lr);
  const float* g = x.f(3, &C);
  float* dx = x.f(4, &lx);
  float* dg = x.f(5, &lg);
  float* db = x.f(6, &lb);
  if (!x.ok || !x.check(C > 0 && n % C == 0 && lh == n && lr == n / C && lx == n && lg == C && lb == C)) return nullptr;
  const size_t R = n / C;
  std::vector<float> ag(C, 0.0f), ab(C, 0.0f);
  const float invC = 1.0f / static_cast<float>(C);
  for (size_t r = 0; r < R; r++) {
    const float* dr = d + r * C;
    const float* hr = h + r * C;
    float m1 = 0.0f, m2 = 0.0f;
#pragma omp simd reduction(+ : m1, m2)
    for (size_t j = 0; j < C; j++) {
      const float dh = dr[j] * g[j];
      m1 += dh;
      m2 += dh * hr[j];
    }
    for (size_t j = 0; j < C; j++) {
      ag[j] += dr[j] * hr[j];
      ab[j] += dr[j];
    }
    m1 *= invC;
    m2 *= invC;
    const float s = rs[r];
    float* xr = dx + r * C;
    for (size_t j = 0; j < C; j++) xr[j] = s * (dr[j] * g[j] - m1 - hr[j] * m2);
  }
  for (size_t j = 0; j < C; j++) {
    dg[j] = ag[j];
    db[j] = ab[j];
  }
  return nullptr;
}

// causalSoftmax(x, out, T, scale): blocks of [T x T]
napi_value CausalSoftmax(napi_env env, napi_callback_info info) {
  Args x(env, info, 4, "causalSoftmax takes 4 arguments");
  size_t n, no;
  const float* s = x.f(0, &n);
  float* o = x.f(1, &no);
  const int T = x.n(2);
  if (!x.ok || !x.check(T > 0 && no == n && n % (static_cast<size_t>(T) * T) == 0)) return nullptr;
  const float scale = static_cast<float>(x.d(3));
  std::memcpy(o, s, sizeof(float) * n);
  for (size_t base = 0; base < n; base += static_cast<size_t>(T) * T) causal_rows(o + base, T, T, scale);
  return nullptr;
}

// softmaxGrad(y, dy, out, C, scale): out = scale * y * (dy - sum_j dy y) per row of C
napi_value SoftmaxGrad(napi_env env, napi_callback_info info) {
  Args x(env, info, 5, "softmaxGrad takes 5 arguments");
  size_t n, nd, no;
  const float* y = x.f(0, &n);
  const float* d = x.f(1, &nd);
  float* o = x.f(2, &no);
  const int C = x.n(3);
  if (!x.ok || !x.check(C > 0 && nd == n && no == n && n % C == 0)) return nullptr;
  const float scale = static_cast<float>(x.d(4));
  for (size_t row = 0; row < n; row += C) {
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int j = 0; j < C; j++) s += d[row + j] * y[row + j];
    for (int j = 0; j < C; j++) o[row + j] = scale * y[row + j] * (d[row + j] - s);
  }
  return nullptr;
}

// crossEntropy(logits [N, V], targets [N], probs) -> mean loss
napi_value CrossEntropy(napi_env env, napi_callback_info info) {
  Args x(env, info, 3, "crossEntropy takes 3 arguments");
  size_t n, N, np;
  const float* z = x.f(0, &n);
  const int32_t* t = x.i32(1, &N);
  float* p = x.f(2, &np);
  if (!x.ok || !x.check(N > 0 && n % N == 0 && np == n)) return nullptr;
  const size_t V = n / N;
  double total = 0.0;
  for (size_t r = 0; r < N; r++) {
    const float* zr = z + r * V;
    float* pr = p + r * V;
    float mx = zr[0];
    for (size_t j = 1; j < V; j++) mx = zr[j] > mx ? zr[j] : mx;
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (size_t j = 0; j < V; j++) {
      const float e = fexp(zr[j] - mx);
      pr[j] = e;
      sum += e;
    }
    const float inv = 1.0f / sum;
    for (size_t j = 0; j < V; j++) pr[j] *= inv;
    const int32_t tr = t[r];
    if (tr < 0 || static_cast<size_t>(tr) >= V) {
      napi_throw_range_error(env, nullptr, "crossEntropy: a target is out of the vocabulary");
      return nullptr;
    }
    total += std::log(static_cast<double>(sum)) + mx - zr[tr];
  }
  napi_value out;
  napi_create_double(env, total / static_cast<double>(N), &out);
  return out;
}

// crossEntropyGrad(probs, targets, out, k): out = probs * k, minus k at each row's target
napi_value CrossEntropyGrad(napi_env env, napi_callback_info info) {
  Args x(env, info, 4, "crossEntropyGrad takes 4 arguments");
  size_t n, N, no;
  const float* p = x.f(0, &n);
  const int32_t* t = x.i32(1, &N);
  float* o = x.f(2, &no);
  if (!x.ok || !x.check(N > 0 && n % N == 0 && no == n)) return nullptr;
  const float k = static_cast<float>(x.d(3));
  const size_t V = n / N;
#pragma omp simd
  for (size_t i = 0; i < n; i++) o[i] = p[i] * k;
  for (size_t r = 0; r < N; r++)
    if (t[r] >= 0 && static_cast<size_t>(t[r]) < V) o[r * V + t[r]] -= k;
  return nullptr;
}

// adamw(p, g, m, v, po, mo, vo, lr, beta1, beta2, eps, decay, bc1, sqrtBc2, scale): optim.ts's formula, in
// double like the JavaScript kernel (the moments rounded to float32 as they are stored)
napi_value AdamW(napi_env env, napi_callback_info info) {
  Args x(env, info, 15, "adamw takes 15 arguments");
  size_t n, lg, lm, lv, lpo, lmo, lvo;
  const float* p = x.f(0, &n);
  const float* g = x.f(1, &lg);
  const float* m = x.f(2, &lm);
  const float* v = x.f(3, &lv);
  float* po = x.f(4, &lpo);
  float* mo = x.f(5, &lmo);
  float* vo = x.f(6, &lvo);
  if (!x.ok || !x.check(lg == n && lm == n && lv == n && lpo == n && lmo == n && lvo == n)) return nullptr;
  const double lr = x.d(7), b1 = x.d(8), b2 = x.d(9), eps = x.d(10), decay = x.d(11), bc1 = x.d(12), sqrtBc2 = x.d(13), scale = x.d(14);
  const double keep = 1 - lr * decay, step = lr / bc1;
#pragma omp simd
  for (size_t i = 0; i < n; i++) {
    const double gi = static_cast<double>(g[i]) * scale;
    const float mi = static_cast<float>(b1 * m[i] + (1 - b1) * gi);
    const float vi = static_cast<float>(b2 * v[i] + (1 - b2) * gi * gi);
    mo[i] = mi;
    vo[i] = vi;
    po[i] = static_cast<float>(p[i] * keep - (step * mi) / (std::sqrt(static_cast<double>(vi)) / sqrtBc2 + eps));
  }
  return nullptr;
}

// binary(op, a, b, out, R, C, aRowStride, aColStride, bRowStride, bColStride): out[r*C + c] = a op b with
// a read at r*ars + c*acs (strides 0 broadcast); op 0 add, 1 sub, 2 mul, 3 div
template <int OP>
inline float apply(float a, float b) {
  if (OP == 0) return a + b;
  if (OP == 1) return a - b;
  if (OP == 2) return a * b;
  return a / b;
}
template <int OP>
void binary_loop(const float* a, const float* b, float* o, int64_t R, int64_t C, int64_t ars, int64_t acs, int64_t brs, int64_t bcs) {
  for (int64_t r = 0; r < R; r++) {
    const float* ar = a + r * ars;
    const float* br = b + r * brs;
    float* orow = o + r * C;
    if (acs == 1 && bcs == 1)
#pragma omp simd
      for (int64_t c = 0; c < C; c++) orow[c] = apply<OP>(ar[c], br[c]);
    else if (acs == 1 && bcs == 0) {
      const float bv = br[0];
#pragma omp simd
      for (int64_t c = 0; c < C; c++) orow[c] = apply<OP>(ar[c], bv);
    } else if (acs == 0 && bcs == 1) {
      const float av = ar[0];
#pragma omp simd
      for (int64_t c = 0; c < C; c++) orow[c] = apply<OP>(av, br[c]);
    } else
      for (int64_t c = 0; c < C; c++) orow[c] = apply<OP>(ar[c * acs], br[c * bcs]);
  }
}
napi_value Binary(napi_env env, napi_callback_info info) {
  Args x(env, info, 10, "binary takes 10 arguments");
  size_t la, lb, lo;
  const int op = x.n(0);
  const float* a = x.f(1, &la);
  const float* b = x.f(2, &lb);
  float* o = x.f(3, &lo);
  if (!x.ok) return nullptr;
  const int64_t R = x.n(4), C = x.n(5), ars = x.n(6), acs = x.n(7), brs = x.n(8), bcs = x.n(9);
  const auto last = [&](int64_t rs, int64_t cs) { return R == 0 || C == 0 ? 0 : (R - 1) * rs + (C - 1) * cs + 1; };
  if (!x.check(R >= 0 && C >= 0 && static_cast<int64_t>(lo) >= R * C && static_cast<int64_t>(la) >= last(ars, acs) && static_cast<int64_t>(lb) >= last(brs, bcs)))
    return nullptr;
  switch (op) {
    case 0: binary_loop<0>(a, b, o, R, C, ars, acs, brs, bcs); break;
    case 1: binary_loop<1>(a, b, o, R, C, ars, acs, brs, bcs); break;
    case 2: binary_loop<2>(a, b, o, R, C, ars, acs, brs, bcs); break;
    default: binary_loop<3>(a, b, o, R, C, ars, acs, brs, bcs); break;
  }
  return nullptr;
}

// sumRows(src [R, C], out [C], R, scale): out[c] = scale * sum_r src[r, c], accumulated in double
napi_value SumRows(napi_env env, napi_callback_info info) {
  Args x(env, info, 4, "sumRows takes 4 arguments");
  size_t n, C;
  const float* s = x.f(0, &n);
  float* o = x.f(1, &C);
  const int64_t R = x.n(2);
  if (!x.ok || !x.check(R >= 0 && static_cast<size_t>(R) * C == n)) return nullptr;
  const double scale = x.d(3);
  std::vector<double> acc(C, 0.0);
  for (int64_t r = 0; r < R; r++) {
    const float* row = s + r * C;
    for (size_t c = 0; c < C; c++) acc[c] += row[c];
  }
  for (size_t c = 0; c < C; c++) o[c] = static_cast<float>(acc[c] * scale);
  return nullptr;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
#ifdef CURATE_HAVE_CBLAS
  int32_t n = 0;
  if (argc == 1 && napi_get_value_int32(env, argv[0], &n) == napi_ok) openblas_set_num_threads(n);
#endif
  return nullptr;
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value out, blas, threads, version;
  napi_create_object(env, &out);
#ifdef CURATE_HAVE_CBLAS
  napi_create_string_utf8(env, "openblas", NAPI_AUTO_LENGTH, &blas);
  napi_create_int32(env, openblas_get_num_threads(), &threads);
#else
  napi_create_string_utf8(env, "builtin", NAPI_AUTO_LENGTH, &blas);
  napi_create_int32(env, 1, &threads);
#endif
  // bumped when the exported functions change: src/train/native.ts refuses an older build
  napi_create_int32(env, 2, &version);
  napi_set_named_property(env, out, "blas", blas);
  napi_set_named_property(env, out, "threads", threads);
  napi_set_named_property(env, out, "version", version);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sgemmBatched", nullptr, SgemmBatched, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmulBias", nullptr, MatmulBias, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attention", nullptr, Attention, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attentionGrad", nullptr, AttentionGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gelu", nullptr, Gelu, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"geluGrad", nullptr, GeluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNorm", nullptr, LayerNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNormGrad", nullptr, LayerNormGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"causalSoftmax", nullptr, CausalSoftmax, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmaxGrad", nullptr, SoftmaxGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"crossEntropy", nullptr, CrossEntropy, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"crossEntropyGrad", nullptr, CrossEntropyGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamw", nullptr, AdamW, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumRows", nullptr, SumRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
