# pkg-config files, one per library: txaio.pc, txaio-sim.pc, txaio-testutil.pc.
# Consumers compile with -std=c++20 (or later) themselves, as pkg-config has no place for it.

# Paths relative to ${prefix} where they lie under the install prefix, so the tree relocates.
function(txaio_pc_path var dir)
  if(IS_ABSOLUTE "${dir}")
    set(${var} "${dir}" PARENT_SCOPE)
  else()
    set(${var} "\${prefix}/${dir}" PARENT_SCOPE)
  endif()
endfunction()

# The prefix is the one installed to (`cmake --install --prefix` may differ from the configured
# one): the files are configured twice, the second time by the install step.
set(TXAIO_PC_PREFIX "@TXAIO_INSTALL_PREFIX@")
txaio_pc_path(TXAIO_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
txaio_pc_path(TXAIO_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")

# Boost ships no .pc file: its include directory, unless it is a system one.
set(txaio_pc_boost_cflags "")
get_target_property(txaio_boost_includes Boost::headers INTERFACE_INCLUDE_DIRECTORIES)
foreach(dir IN LISTS txaio_boost_includes)
  if(NOT dir IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES AND NOT dir STREQUAL "/usr/include")
    string(APPEND txaio_pc_boost_cflags " -I${dir}")
  endif()
endforeach()

# A static library brings its own dependencies to the link line; a shared one hides them.
set(txaio_pc_own_libs " -pthread")
if(TXAIO_HAVE_LIBBACKTRACE)
  string(APPEND txaio_pc_own_libs " -lbacktrace")
endif()
foreach(lib IN LISTS CMAKE_DL_LIBS)
  string(APPEND txaio_pc_own_libs " -l${lib}")
endforeach()

# txaio_write_pc(<file> <name> <library> <description> REQUIRES <...> LIBS <...>)
function(txaio_write_pc file name lib description)
  cmake_parse_arguments(PARSE_ARGV 4 arg "" "" "REQUIRES;LIBS;CFLAGS")
  set(TXAIO_PC_NAME "${name}")
  set(TXAIO_PC_LIB "${lib}")
  set(TXAIO_PC_DESCRIPTION "${description}")
  list(JOIN arg_REQUIRES ", " TXAIO_PC_REQUIRES)
  set(TXAIO_PC_CFLAGS "${arg_CFLAGS}")
  set(TXAIO_PC_LIBS "")
  set(TXAIO_PC_LIBS_PRIVATE "")
  if(BUILD_SHARED_LIBS)
    set(TXAIO_PC_LIBS_PRIVATE "${arg_LIBS}")
  else()
    set(TXAIO_PC_LIBS "${arg_LIBS}")
  endif()
  set(template ${PROJECT_BINARY_DIR}/pkgconfig/${file}.in)
  set(out ${PROJECT_BINARY_DIR}/pkgconfig/${file})
  configure_file(${PROJECT_SOURCE_DIR}/cmake/txaio.pc.in ${template} @ONLY)
  install(CODE "set(TXAIO_INSTALL_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
    configure_file(\"${template}\" \"${out}\" @ONLY)")
  install(FILES ${out} DESTINATION ${TXAIO_PKGCONFIG_DIR})
endfunction()

txaio_write_pc(txaio.pc txaio txaio "txaio for C++: futures, timers, batched timers and logging on Boost.Asio"
  REQUIRES fmt LIBS "${txaio_pc_own_libs}" CFLAGS "${txaio_pc_boost_cflags}")
txaio_write_pc(txaio-sim.pc txaio-sim txaio_sim "txaio for C++: the deterministic virtual-clock loop"
  REQUIRES txaio)
if(TARGET txaio_testutil)
  txaio_write_pc(txaio-testutil.pc txaio-testutil txaio_testutil
    "txaio for C++: GoogleTest fixtures, matchers and RapidCheck support for txaio code"
    REQUIRES txaio-sim gtest gmock LIBS " -lrapidcheck")
endif()
