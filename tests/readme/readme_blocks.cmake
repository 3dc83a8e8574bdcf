# README.md's ```cpp blocks, compiled as written so that none goes stale. A block is one of:
#   program   it has `int main(`: built and run as its own test (exit 0 passes);
#   tests     it has GoogleTest tests (`TEST(`, `TEST_F(`): compiled into txaio_readme_tests;
#   fragment  its first line starts with `// Fragment`: shown to the reader, not compiled.
# Any other block is `unmarked`, which the readme.blocks test reports as an error.

if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  cmake_minimum_required(VERSION 3.21)  # run as a script: the policies of the project
endif()

# txaio_readme_cpp_blocks(<readme> <prefix>): sets <prefix>_COUNT and, for each block i in
# 1..COUNT, <prefix>_<i>_LINE (the line of its first code line), <prefix>_<i>_KIND and
# <prefix>_<i>_CODE, in the caller's scope.
function(txaio_readme_cpp_blocks readme prefix)
  file(READ "${readme}" rest)
  set(line 1)
  set(count 0)
  while(TRUE)
    string(FIND "${rest}" "```cpp\n" open)
    if(open EQUAL -1)
      break()
    endif()
    string(SUBSTRING "${rest}" 0 ${open} before)
    math(EXPR start "${open} + 7")
    string(SUBSTRING "${rest}" ${start} -1 rest)
    string(FIND "${rest}" "```" close)
    if(close EQUAL -1)
      message(FATAL_ERROR "${readme}: a ```cpp block is not closed")
    endif()
    string(SUBSTRING "${rest}" 0 ${close} code)
    string(SUBSTRING "${rest}" ${close} -1 rest)
    _txaio_count_lines("${before}" n)
    math(EXPR line "${line} + ${n} + 1")
    math(EXPR count "${count} + 1")
    if(code MATCHES "^// Fragment")
      set(kind fragment)
    elseif(code MATCHES "int main\\(")
      set(kind program)
    elseif(code MATCHES "(^|\n)TEST(_F)?\\(")
      set(kind tests)
    else()
      set(kind unmarked)
    endif()
    set(${prefix}_${count}_LINE ${line} PARENT_SCOPE)
    set(${prefix}_${count}_KIND ${kind} PARENT_SCOPE)
    set(${prefix}_${count}_CODE "${code}" PARENT_SCOPE)
    _txaio_count_lines("${code}" n)
    math(EXPR line "${line} + ${n}")
  endwhile()
  set(${prefix}_COUNT ${count} PARENT_SCOPE)
endfunction()

function(_txaio_count_lines text out)
  string(REGEX MATCHALL "\n" newlines "${text}")
  list(LENGTH newlines n)
  set(${out} ${n} PARENT_SCOPE)
endfunction()

# Run as a script (cmake -DREADME=<file> -P readme_blocks.cmake): fails naming every unmarked
# block.
if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  txaio_readme_cpp_blocks("${README}" block)
  set(bad "")
  if(block_COUNT GREATER 0)
    foreach(i RANGE 1 ${block_COUNT})
      if(block_${i}_KIND STREQUAL "unmarked")
        string(APPEND bad "\n  ${README}:${block_${i}_LINE}")
      endif()
    endforeach()
  endif()
  if(bad)
    message(FATAL_ERROR "README C++ blocks neither compiled (a program with main, or TEST / TEST_F "
                        "tests) nor marked with a first line `// Fragment ...`:${bad}")
  endif()
  message(STATUS "${block_COUNT} README C++ blocks, every one compiled or marked as a fragment")
endif()
