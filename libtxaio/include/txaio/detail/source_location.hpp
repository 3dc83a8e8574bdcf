#pragma once
/// `txaio::detail::source_location`: `std::source_location` where the standard library has it,
/// otherwise the same interface on the compiler builtins (clang 14 with libstdc++ 12).

#include <version>

#if defined(__cpp_lib_source_location)
#include <source_location>
#endif

namespace txaio::detail {

#if defined(__cpp_lib_source_location)
using source_location = std::source_location;
#else
class source_location {
public:
  static constexpr source_location current(const char* file = __builtin_FILE(),
                                           const char* function = __builtin_FUNCTION(),
                                           unsigned line = __builtin_LINE()) noexcept {
    source_location loc;
    loc.file_ = file;
    loc.function_ = function;
    loc.line_ = line;
    return loc;
  }
  constexpr source_location() noexcept = default;
  constexpr const char* file_name() const noexcept { return file_; }
  constexpr const char* function_name() const noexcept { return function_; }
  constexpr unsigned line() const noexcept { return line_; }
  constexpr unsigned column() const noexcept { return 0; }

private:
  const char* file_ = "";
  const char* function_ = "";
  unsigned line_ = 0;
};
#endif

}  // namespace txaio::detail
