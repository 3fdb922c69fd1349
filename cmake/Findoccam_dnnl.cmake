# Finds Debian's oneDNN (libdnnl-dev) without its CMake package, which insists on OpenCL
# (the GPU runtime Occam does not use). Defines the imported target DNNL::dnnl.
find_path(OCCAM_DNNL_INCLUDE_DIR oneapi/dnnl/dnnl.hpp)
find_library(OCCAM_DNNL_LIBRARY NAMES dnnl)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(occam_dnnl REQUIRED_VARS OCCAM_DNNL_LIBRARY OCCAM_DNNL_INCLUDE_DIR)
if(occam_dnnl_FOUND AND NOT TARGET DNNL::dnnl)
  add_library(DNNL::dnnl UNKNOWN IMPORTED)
  set_target_properties(DNNL::dnnl PROPERTIES IMPORTED_LOCATION ${OCCAM_DNNL_LIBRARY}
                        INTERFACE_INCLUDE_DIRECTORIES ${OCCAM_DNNL_INCLUDE_DIR})
endif()
