{
  "targets": [
    {
      "target_name": "promptune_engine",
      "sources": [
        "src/addon.cc",
        "src/errors.cc",
        "src/tensor_table.cc",
        "src/ops_create.cc",
        "src/ops_math.cc",
        "src/ops_shape.cc",
        "src/ops_nn.cc",
        "src/autograd.cc",
        "src/optim.cc",
        "src/runtime.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node -p \"process.env.PT_INCLUDE_DIRS || ''\")"
      ],
      "defines": ["NAPI_CPP_EXCEPTIONS", "NAPI_VERSION=8", "_GLIBCXX_USE_CXX11_ABI=<!(node -p \"process.env.PT_CXX11_ABI || '1'\")"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++14"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-frtti", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "libraries": [
        "-L<!(node -p \"process.env.PT_LIB_DIR || '/usr/lib'\")",
        "-Wl,-rpath,<!(node -p \"process.env.PT_LIB_DIR || '/usr/lib'\")",
        "<!@(node -p \"process.env.PT_CUDA_LINK || ''\")",
        "-ltorch",
        "-ltorch_cpu",
        "-lc10"
      ]
    }
  ]
}
