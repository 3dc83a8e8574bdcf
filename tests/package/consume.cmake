# The package tests: `cmake -DMODE=<mode> ... -P consume.cmake`, each building a project
# outside the txaio tree against txaio and running what it built.
#   install           cmake --install BINARY_DIR into PREFIX (the fixture of the others)
#   production        tests/package/production with find_package(txaio), GTest and RapidCheck
#                     made unfindable
#   testutil          tests/package/consumer with find_package(txaio COMPONENTS testutil)
#   pkg_config        production/main.cpp and consumer/main.cpp compiled with
#                     `pkg-config --cflags --libs txaio-sim` / `txaio-testutil`
#   add_subdirectory  tests/package/consumer with add_subdirectory(SOURCE_DIR)
#   components        what find_package refuses, with its reasons: testutil without GoogleTest,
#                     an unknown component, txaio_add_scenarios without an installed
#                     txaio-replay (a production project without it still configures)
#   scenarios         tests/package/scenarios: its ctest holds one test per scenario, and the
#                     installed txaio-replay shards them under GoogleTest's and Bazel's variables
set(here ${CMAKE_CURRENT_LIST_DIR})
set(launcher)
find_program(CCACHE ccache)
if(CCACHE)
  set(launcher -DCMAKE_CXX_COMPILER_LAUNCHER=${CCACHE})
endif()

# run(<command>...): runs it, fails the test naming the command when it fails.
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
endfunction()

# run_output(<var> <command>...): runs it, fails when it fails, stores its standard output.
function(run_output var)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}")
  endif()
  set(${var} "${out}" PARENT_SCOPE)
endfunction()

# build_project(<source> <args>...): configures, builds into WORK_DIR/build.
function(build_project source)
  run(${CMAKE_COMMAND} -S ${source} -B ${WORK_DIR}/build -G ${GENERATOR} ${launcher} ${ARGN})
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
endfunction()

# ctest_count(<var> <ctest args>...): how many tests `ctest -N` lists.
function(ctest_count var)
  run_output(out ${CMAKE_CTEST_COMMAND} --test-dir ${WORK_DIR}/build -N ${ARGN})
  if(NOT out MATCHES "Total Tests: ([0-9]+)")
    message(FATAL_ERROR "no test count in ctest -N output:\n${out}")
  endif()
  set(${var} ${CMAKE_MATCH_1} PARENT_SCOPE)
endfunction()

# pkg_config_build(<module> <source> <exe>): compiles and links one file with pkg-config's flags.
function(pkg_config_build module source exe)
  find_program(PKG_CONFIG pkg-config REQUIRED)
  set(ENV{PKG_CONFIG_PATH} ${PREFIX}/${LIBDIR}/pkgconfig)
  run_output(flags ${PKG_CONFIG} --cflags --libs ${module})
  separate_arguments(flags UNIX_COMMAND "${flags}")
  run(${CXX} -std=c++20 ${source} -o ${WORK_DIR}/${exe} ${flags})
  run(${WORK_DIR}/${exe})
endfunction()

# configure_fails(<name> <cmake code> <expected message regex> <args>...): a project made of
# <cmake code> must fail to configure, saying what matches the regex.
function(configure_fails name code regex)
  set(dir ${WORK_DIR}/${name})
  file(WRITE ${dir}/CMakeLists.txt "cmake_minimum_required(VERSION 3.21)\nproject(${name} LANGUAGES CXX)\n${code}\n")
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${dir} -B ${dir}/build -G ${GENERATOR} ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(REGEX REPLACE "[ \t\r\n]+" " " flat "${out}")
  if(rc EQUAL 0 OR NOT flat MATCHES "${regex}")
    message(FATAL_ERROR "${name}: expected a configure error matching '${regex}', got (${rc}):\n${out}")
  endif()
endfunction()

if(NOT MODE STREQUAL "install")
  file(REMOVE_RECURSE ${WORK_DIR})
endif()
if(MODE STREQUAL "install")
  file(REMOVE_RECURSE ${PREFIX})
  run(${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${PREFIX})
elseif(MODE STREQUAL "production")
  build_project(${here}/production -DCMAKE_PREFIX_PATH=${PREFIX}
    -DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON -DCMAKE_DISABLE_FIND_PACKAGE_rapidcheck=ON)
  run(${WORK_DIR}/build/production)
elseif(MODE STREQUAL "testutil")
  build_project(${here}/consumer -DCMAKE_PREFIX_PATH=${PREFIX} -DTXAIO_CONSUME=find_package)
  run(${WORK_DIR}/build/consumer)
elseif(MODE STREQUAL "pkg_config")
  file(MAKE_DIRECTORY ${WORK_DIR})
  pkg_config_build(txaio-sim ${here}/production/main.cpp production)
  pkg_config_build(txaio-testutil ${here}/consumer/main.cpp consumer)
elseif(MODE STREQUAL "add_subdirectory")
  build_project(${here}/consumer -DTXAIO_CONSUME=add_subdirectory -DTXAIO_SOURCE_DIR=${SOURCE_DIR})
  run(${WORK_DIR}/build/consumer)
elseif(MODE STREQUAL "scenarios")
  build_project(${here}/scenarios -DCMAKE_PREFIX_PATH=${PREFIX})
  file(GLOB_RECURSE passing ${here}/scenarios/scenarios/*.txs)
  list(LENGTH passing expected)
  ctest_count(listed -L consumer)
  if(NOT listed EQUAL expected)
    message(FATAL_ERROR "ctest lists ${listed} scenario tests, expected one per file: ${expected}")
  endif()
  run(${CMAKE_CTEST_COMMAND} --test-dir ${WORK_DIR}/build -L consumer -j2 --output-on-failure)
  # The installed tool shards the consumer's scenarios under both sharding protocols: every
  # scenario passes in exactly one of the shards.
  foreach(family GTEST_TOTAL_SHARDS:GTEST_SHARD_INDEX TEST_TOTAL_SHARDS:TEST_SHARD_INDEX)
    string(REPLACE ":" ";" vars "${family}")
    list(GET vars 0 total)
    list(GET vars 1 index)
    set(seen)
    foreach(k 0 1)
      run_output(out ${CMAKE_COMMAND} -E env --unset=GTEST_TOTAL_SHARDS --unset=GTEST_SHARD_INDEX
        --unset=TEST_TOTAL_SHARDS --unset=TEST_SHARD_INDEX ${total}=2 ${index}=${k}
        ${PREFIX}/bin/txaio-replay ${here}/scenarios/scenarios)
      string(REGEX MATCHALL "PASS  [^ ]+" passed "${out}")
      list(APPEND seen ${passed})
    endforeach()
    list(LENGTH seen n)
    list(REMOVE_DUPLICATES seen)
    list(LENGTH seen unique)
    if(NOT n EQUAL expected OR NOT unique EQUAL expected)
      message(FATAL_ERROR "${total}=2: the shards passed ${n} scenarios (${unique} distinct), expected ${expected}")
    endif()
  endforeach()
  # A wrong expectation fails its test.
  execute_process(COMMAND ${CMAKE_CTEST_COMMAND} --test-dir ${WORK_DIR}/build -L failing
    RESULT_VARIABLE rc OUTPUT_QUIET)
  if(rc EQUAL 0)
    message(FATAL_ERROR "the failing scenario's ctest test passed")
  endif()
elseif(MODE STREQUAL "components")
  configure_fails(no_gtest "find_package(txaio REQUIRED COMPONENTS testutil)" "GTest"
    -DCMAKE_PREFIX_PATH=${PREFIX} -DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON)
  configure_fails(unknown "find_package(txaio REQUIRED COMPONENTS bogus)" "unknown component bogus"
    -DCMAKE_PREFIX_PATH=${PREFIX})
  # A prefix without the replay tool: production projects configure, txaio_add_scenarios says
  # what is missing, and so does asking for the component.
  file(COPY ${PREFIX}/ DESTINATION ${WORK_DIR}/no_replay_prefix
    PATTERN "txaioReplayTargets*" EXCLUDE PATTERN "txaio-replay" EXCLUDE)
  set(no_replay -DCMAKE_PREFIX_PATH=${WORK_DIR}/no_replay_prefix)
  build_project(${here}/production ${no_replay})
  configure_fails(no_replay "find_package(txaio REQUIRED)\nenable_testing()\ntxaio_add_scenarios(.)"
    "txaio_add_scenarios: txaio-replay not found" ${no_replay})
  configure_fails(no_replay_component "find_package(txaio REQUIRED COMPONENTS replay)"
    "component replay is not installed" ${no_replay})
else()
  message(FATAL_ERROR "consume.cmake: unknown MODE '${MODE}'")
endif()
