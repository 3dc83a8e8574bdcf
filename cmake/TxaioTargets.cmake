# txaio_setup_target(<target>): txaio's warnings, sanitizers and standard, all PRIVATE.
function(txaio_setup_target target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
    if(TXAIO_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
      # GCC 12's optimizer reports a bogus -Wrestrict on std::string copies inlined from
      # libstdc++ (GCC bug 105651, fixed in GCC 13) in Release builds: not our code, and it
      # must not fail a -Werror Release build. Debug and RelWithDebInfo keep the warning.
      target_compile_options(${target} PRIVATE $<$<CONFIG:Release,MinSizeRel>:-Wno-restrict>)
    endif()
    if(TXAIO_SANITIZE)
      target_compile_options(${target} PRIVATE -fsanitize=${TXAIO_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
      target_link_options(${target} PRIVATE -fsanitize=${TXAIO_SANITIZE})
      if(TXAIO_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        # Asio's fenced blocks use atomic_thread_fence, which GCC warns TSan cannot model
        # (-Wtsan); that is Asio's code, not ours, so it must not fail a -Werror build.
        target_compile_options(${target} PRIVATE -Wno-tsan)
      endif()
    endif()
  endif()
endfunction()
