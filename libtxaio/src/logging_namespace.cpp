// Namespace deduction for `make_logger()`: the scope of the calling function, read from the
// compiler's pretty function name, else the file's stem.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "txaio/logging.hpp"

namespace txaio::detail {

namespace {

bool is_identifier_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Start of the qualified name ending at `end`: back to a space, '*' or '&' outside brackets.
std::size_t qualified_name_begin(std::string_view s, std::size_t end) {
  std::size_t begin = end;
  int depth = 0;
  while (begin > 0) {
    const char c = s[begin - 1];
    if (c == '>' || c == ')') {
      ++depth;
    } else if (c == '<' || c == '(') {
      if (depth == 0) break;
      --depth;
    } else if (depth == 0 && (c == ' ' || c == '*' || c == '&')) {
      break;
    }
    --begin;
  }
  return begin;
}

// GCC's "void f() [with T = int]" without the " [with ...]".
std::string_view without_template_note(std::string_view s) {
  if (!s.empty() && s.back() == ']') {
    if (const std::size_t with = s.rfind(" ["); with != std::string_view::npos) s = s.substr(0, with);
  }
  return s;
}

// For an operator function, the qualifier: it ends where the word "operator" starts.
std::optional<std::string_view> operator_qualifier(std::string_view s) {
  for (std::size_t pos = s.find("operator"); pos != std::string_view::npos; pos = s.find("operator", pos + 1)) {
    const bool starts = pos == 0 || !is_identifier_char(s[pos - 1]);
    const bool ends = pos + 8 == s.size() || !is_identifier_char(s[pos + 8]);
    if (starts && ends) {
      const std::size_t begin = qualified_name_begin(s, pos);
      return s.substr(begin, pos - begin);
    }
  }
  return std::nullopt;
}

// "X::Y::" of the qualified name "X::Y::f" (up to its last "::" outside brackets); empty for
// an unqualified name.
std::string_view scope_of(std::string_view name) {
  std::size_t last = std::string_view::npos;
  int depth = 0;
  for (std::size_t j = 0; j + 1 < name.size(); ++j) {
    if (name[j] == '<' || name[j] == '(') ++depth;
    if (name[j] == '>' || name[j] == ')') --depth;
    if (depth == 0 && name[j] == ':' && name[j + 1] == ':') last = j + 2;
  }
  return last == std::string_view::npos ? std::string_view{} : name.substr(0, last);
}

// The qualifier of the function named in `s` (a compiler's pretty function name):
// "void app::Bunny::hop(int)" -> "app::Bunny::". Empty at global scope.
std::string_view function_qualifier(std::string_view s) {
  s = without_template_note(s);
  if (const std::optional<std::string_view> q = operator_qualifier(s)) return *q;
  // The name ends at the first '(' outside template arguments that follows a name.
  int angle = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '<') {
      ++angle;
    } else if (c == '>') {
      --angle;
    } else if (c == '(' && angle == 0 && i > 0 && (is_identifier_char(s[i - 1]) || s[i - 1] == '>')) {
      return scope_of(s.substr(0, i).substr(qualified_name_begin(s, i)));
    }
  }
  return {};
}

// Removes and returns the first scope of `qualifier` ("app" of "app::Bunny::"), up to a "::"
// outside brackets.
std::string_view take_scope(std::string_view& qualifier) {
  std::size_t end = 0;
  int depth = 0;
  while (end < qualifier.size() && !(depth == 0 && qualifier.substr(end, 2) == "::")) {
    if (qualifier[end] == '<' || qualifier[end] == '(') ++depth;
    if (qualifier[end] == '>' || qualifier[end] == ')') --depth;
    ++end;
  }
  const std::string_view part = qualifier.substr(0, end);
  qualifier.remove_prefix(std::min(qualifier.size(), end + 2));
  return part;
}

// "Warren<int>" -> "Warren".
std::string without_template_args(std::string_view part) {
  std::string name;
  int angle = 0;
  for (const char c : part) {
    if (c == '<') {
      ++angle;
    } else if (c == '>') {
      --angle;
    } else if (angle == 0) {
      name += c;
    }
  }
  return name;
}

std::string file_stem(std::string_view file) {
  if (const std::size_t slash = file.find_last_of("/\\"); slash != std::string_view::npos) {
    file = file.substr(slash + 1);
  }
  if (const std::size_t dot = file.find('.'); dot != std::string_view::npos && dot > 0) file = file.substr(0, dot);
  return std::string(file);
}

}  // namespace

std::string deduce_log_namespace(std::string_view function_name, std::string_view file_name) {
  std::string_view qualifier = function_qualifier(function_name);
  std::string out;
  while (!qualifier.empty()) {
    const std::string_view part = take_scope(qualifier);
    // Keep the scopes up to the first one inside a function ("hop(int)", "<lambda()>").
    if (part.empty() || part.front() == '<' || part.front() == '(' || part.find('(') != std::string_view::npos) break;
    if (!out.empty()) out += "::";
    out += without_template_args(part);
  }
  return out.empty() ? file_stem(file_name) : out;
}

}  // namespace txaio::detail
