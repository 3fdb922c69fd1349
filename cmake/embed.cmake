# Embeds configs/fashion_mnist_mlp.yaml into the binary as the default config, so
# `occam train` with no argument works from any directory.
set(OCCAM_DEFAULT_CONFIG ${PROJECT_SOURCE_DIR}/configs/fashion_mnist_mlp.yaml)
set(OCCAM_DEFAULT_CONFIG_CPP ${PROJECT_BINARY_DIR}/generated/occam/config/default_config.cpp)
add_custom_command(
  OUTPUT ${OCCAM_DEFAULT_CONFIG_CPP}
  COMMAND ${CMAKE_COMMAND} -DINPUT=${OCCAM_DEFAULT_CONFIG} -DOUTPUT=${OCCAM_DEFAULT_CONFIG_CPP}
          -P ${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake
  DEPENDS ${OCCAM_DEFAULT_CONFIG} ${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake VERBATIM)
