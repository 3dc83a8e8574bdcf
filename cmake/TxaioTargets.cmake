# txaio_setup_target(<target>): txaio's warnings, sanitizers and standard, all PRIVATE.
function(txaio_setup_target target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
    if(TXAIO_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
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
