# occam_log: the TensorBoard sink. Its messages come from src/occam/log/*.proto via protoc.
file(GLOB OCCAM_PROTOS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/occam/log/*.proto)
set(OCCAM_PROTO_OUT ${PROJECT_BINARY_DIR}/generated/occam/log)
file(MAKE_DIRECTORY ${OCCAM_PROTO_OUT})
set(OCCAM_PROTO_SRCS "")
foreach(proto ${OCCAM_PROTOS})
  get_filename_component(stem ${proto} NAME_WE)
  add_custom_command(
    OUTPUT ${OCCAM_PROTO_OUT}/${stem}.pb.cc ${OCCAM_PROTO_OUT}/${stem}.pb.h
    COMMAND protobuf::protoc --cpp_out=${OCCAM_PROTO_OUT} -I${PROJECT_SOURCE_DIR}/src/occam/log ${proto}
    DEPENDS ${proto} VERBATIM)
  list(APPEND OCCAM_PROTO_SRCS ${OCCAM_PROTO_OUT}/${stem}.pb.cc)
endforeach()
set(OCCAM_EXTRA_SOURCES ${OCCAM_PROTO_SRCS})
occam_module(log LIBS protobuf::libprotobuf)
unset(OCCAM_EXTRA_SOURCES)
if(TARGET occam_log)
  target_include_directories(occam_log PUBLIC
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/generated> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
endif()
