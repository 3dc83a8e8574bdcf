# txaio_add_scenarios(<dir> [PREFIX <prefix>] [TIMEOUT <seconds>] [LABELS <label>...] [ARGS <arg>...])
#
# Registers every `*.txs` file under <dir> (relative to the current source directory, searched
# recursively, in sorted order) as its own ctest test, running `txaio-replay [ARGS...] <file>`:
# the test passes when the replay does (exit 0). Tests are named <prefix><path under dir without
# .txs>, e.g. `scenario.batched/never_early` with the default prefix `scenario.`; LABELS and
# TIMEOUT become the tests' properties. New files are picked up when the build system regenerates.
#
# The replay tool is the in-tree `txaio-replay` target when txaio is built in the same project
# (add_subdirectory), else the installed `txaio::replay` from `find_package(txaio)`. It is a
# configure error to call this without either, or with a <dir> holding no scenario.
function(txaio_add_scenarios dir)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "PREFIX;TIMEOUT" "LABELS;ARGS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "txaio_add_scenarios: unexpected arguments ${arg_UNPARSED_ARGUMENTS}: "
      "expected <dir> [PREFIX <prefix>] [TIMEOUT <seconds>] [LABELS <label>...] [ARGS <arg>...]")
  endif()
  if(NOT DEFINED arg_PREFIX)
    set(arg_PREFIX "scenario.")
  endif()
  if(TARGET txaio-replay)
    set(replay txaio-replay)
  elseif(TARGET txaio::replay)
    set(replay txaio::replay)
  else()
    message(FATAL_ERROR "txaio_add_scenarios: txaio-replay not found: build txaio with "
      "TXAIO_BUILD_TOOLS=ON, or install it and use find_package(txaio COMPONENTS replay)")
  endif()
  cmake_path(ABSOLUTE_PATH dir BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE OUTPUT_VARIABLE root)
  if(NOT IS_DIRECTORY "${root}")
    message(FATAL_ERROR "txaio_add_scenarios: ${root} is not a directory")
  endif()
  file(GLOB_RECURSE files CONFIGURE_DEPENDS "${root}/*.txs")
  if(NOT files)
    message(FATAL_ERROR "txaio_add_scenarios: no *.txs file under ${root}")
  endif()
  list(SORT files)
  foreach(file IN LISTS files)
    file(RELATIVE_PATH name "${root}" "${file}")
    string(REGEX REPLACE "\\.txs$" "" name "${name}")
    add_test(NAME "${arg_PREFIX}${name}" COMMAND $<TARGET_FILE:${replay}> ${arg_ARGS} "${file}")
    if(arg_LABELS)
      set_tests_properties("${arg_PREFIX}${name}" PROPERTIES LABELS "${arg_LABELS}")
    endif()
    if(arg_TIMEOUT)
      set_tests_properties("${arg_PREFIX}${name}" PROPERTIES TIMEOUT "${arg_TIMEOUT}")
    endif()
  endforeach()
endfunction()
