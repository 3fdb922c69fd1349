file(READ ${INPUT} text)
file(WRITE ${OUTPUT} "// Generated from configs/fashion_mnist_mlp.yaml by cmake/embed_file.cmake.\n"
  "#include \"occam/config/run_config.h\"\n"
  "namespace occam::config {\n"
  "const std::string& default_config_text() {\n"
  "  static const std::string text = R\"occam_yaml(${text})occam_yaml\";\n"
  "  return text;\n}\n}  // namespace occam::config\n")
