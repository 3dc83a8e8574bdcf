# txaio_add_header_check(<target> <include dir> <library>): an object library compiling each
# public header under <include dir>/txaio (detail/ excepted) alone, in a generated translation
# unit that includes it twice (self-contained, include-guarded), with <library>'s usage
# requirements and txaio's warnings. The headers are globbed, so a new header is checked as
# soon as the build regenerates. Target txaio_headers builds every check.
function(txaio_add_header_check target include_dir library)
  file(GLOB_RECURSE headers CONFIGURE_DEPENDS RELATIVE "${include_dir}" "${include_dir}/txaio/*.hpp")
  list(FILTER headers EXCLUDE REGEX "/detail/")
  list(SORT headers)
  set(sources)
  foreach(header IN LISTS headers)
    string(MAKE_C_IDENTIFIER "${header}" id)
    set(source "${CMAKE_CURRENT_BINARY_DIR}/${target}/${id}.cpp")
    file(CONFIGURE OUTPUT "${source}" CONTENT "// Generated: ${header} compiles alone.\n#include <${header}>\n#include <${header}>\n")
    list(APPEND sources "${source}")
  endforeach()
  if(NOT sources)
    message(FATAL_ERROR "txaio_add_header_check: no headers under ${include_dir}/txaio")
  endif()
  add_library(${target} OBJECT ${sources})
  txaio_setup_target(${target})
  target_link_libraries(${target} PRIVATE ${library})
  # `txaio_headers` builds every header check.
  if(NOT TARGET txaio_headers)
    add_custom_target(txaio_headers)
  endif()
  add_dependencies(txaio_headers ${target})
endfunction()
