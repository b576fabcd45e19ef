// curate's optional native kernels for TensorFlow.js's cpu backend (src/train/native.ts registers them):
// a batched single-precision matrix multiply on the backend's own Float32Arrays, through OpenBLAS's
// cblas_sgemm when the build found it (CURATE_HAVE_CBLAS), else a cache-blocked loop the compiler
// vectorizes. Plain N-API (node_api.h): no node-addon-api, no node-gyp, built by native/build.mjs.
#include <node_api.h>
#include <cstdint>
#include <cstring>
#include <vector>

#ifdef CURATE_HAVE_CBLAS
#include <cblas.h>
extern "C" void openblas_set_num_threads(int);
extern "C" int openblas_get_num_threads(void);
#endif

namespace {

// C[m x n] = op(A)[m x k] * op(B)[k x n], row-major; op transposes when the flag is set
void gemm(const float* a, const float* b, float* c, int m, int n, int k, bool ta, bool tb) {
#ifdef CURATE_HAVE_CBLAS
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a,
              ta ? m : k, b, tb ? k : n, 0.0f, c, n);
#else
  // B as [k x n] contiguous, A read as a(i, p); the inner loop over j is unit-stride and vectorizes
  std::vector<float> bt;
  const float* bb = b;
  if (tb) {
    bt.resize(static_cast<size_t>(k) * n);
    for (int j = 0; j < n; j++)
      for (int p = 0; p < k; p++) bt[static_cast<size_t>(p) * n + j] = b[static_cast<size_t>(j) * k + p];
    bb = bt.data();
  }
  std::memset(c, 0, sizeof(float) * static_cast<size_t>(m) * n);
  const int KB = 128;
  for (int p0 = 0; p0 < k; p0 += KB) {
    const int p1 = p0 + KB < k ? p0 + KB : k;
    for (int i = 0; i < m; i++) {
      float* ci = c + static_cast<size_t>(i) * n;
      for (int p = p0; p < p1; p++) {
        const float av = ta ? a[static_cast<size_t>(p) * m + i] : a[static_cast<size_t>(i) * k + p];
        const float* bp = bb + static_cast<size_t>(p) * n;
        for (int j = 0; j < n; j++) ci[j] += av * bp[j];
      }
    }
  }
#endif
}

bool floats(napi_env env, napi_value v, float** data, size_t* length) {
  napi_typedarray_type type;
  void* raw;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, &raw, &buffer, &offset) != napi_ok || type != napi_float32_array) {
    napi_throw_type_error(env, nullptr, "expected a Float32Array");
    return false;
  }
  *data = static_cast<float*>(raw);
  return true;
}

int32_t int_arg(napi_env env, napi_value v) {
  int32_t out = 0;
  napi_get_value_int32(env, v, &out);
  return out;
}

// sgemmBatched(a, b, out, batch, m, n, k, transA, transB, strideA, strideB): out[i] = op(a[i*sA]) op(b[i*sB]);
// a stride of 0 broadcasts one matrix over the batch
napi_value SgemmBatched(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 11) {
    napi_throw_error(env, nullptr, "sgemmBatched takes 11 arguments");
    return nullptr;
  }
  float *a, *b, *c;
  size_t la, lb, lc;
  if (!floats(env, argv[0], &a, &la) || !floats(env, argv[1], &b, &lb) || !floats(env, argv[2], &c, &lc)) return nullptr;
  const int batch = int_arg(env, argv[3]), m = int_arg(env, argv[4]), n = int_arg(env, argv[5]), k = int_arg(env, argv[6]);
  bool ta = false, tb = false;
  napi_get_value_bool(env, argv[7], &ta);
  napi_get_value_bool(env, argv[8], &tb);
  const int64_t sa = int_arg(env, argv[9]), sb = int_arg(env, argv[10]);
  const int64_t mk = static_cast<int64_t>(m) * k, kn = static_cast<int64_t>(k) * n, mn = static_cast<int64_t>(m) * n;
  if (batch < 0 || m < 0 || n < 0 || k < 0 || static_cast<int64_t>(lc) < batch * mn ||
      (batch > 0 && (static_cast<int64_t>(la) < (batch - 1) * sa + mk || static_cast<int64_t>(lb) < (batch - 1) * sb + kn))) {
    napi_throw_range_error(env, nullptr, "sgemmBatched: array sizes do not match the shapes");
    return nullptr;
  }
  for (int i = 0; i < batch; i++) gemm(a + i * sa, b + i * sb, c + i * mn, m, n, k, ta, tb);
  return nullptr;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
#ifdef CURATE_HAVE_CBLAS
  if (argc == 1) openblas_set_num_threads(int_arg(env, argv[0]));
#endif
  return nullptr;
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value out, blas, threads;
  napi_create_object(env, &out);
#ifdef CURATE_HAVE_CBLAS
  napi_create_string_utf8(env, "openblas", NAPI_AUTO_LENGTH, &blas);
  napi_create_int32(env, openblas_get_num_threads(), &threads);
#else
  napi_create_string_utf8(env, "builtin", NAPI_AUTO_LENGTH, &blas);
  napi_create_int32(env, 1, &threads);
#endif
  napi_set_named_property(env, out, "blas", blas);
  napi_set_named_property(env, out, "threads", threads);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sgemmBatched", nullptr, SgemmBatched, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
