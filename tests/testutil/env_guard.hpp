#pragma once
// Test helper: sets environment variables for a scope and restores them afterwards.

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

class EnvGuard {
public:
  EnvGuard() = default;
  EnvGuard(EnvGuard&& other) noexcept : saved_(std::exchange(other.saved_, {})) {}
  EnvGuard& operator=(EnvGuard&&) = delete;
  ~EnvGuard() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) {
        ::setenv(it->first.c_str(), it->second->c_str(), 1);
      } else {
        ::unsetenv(it->first.c_str());
      }
    }
  }

  /// Sets `name` to `value` until the guard goes away.
  EnvGuard& set(const std::string& name, const std::string& value) & {
    const char* old = std::getenv(name.c_str());
    saved_.emplace_back(name, old == nullptr ? std::nullopt : std::optional<std::string>(old));
    ::setenv(name.c_str(), value.c_str(), 1);
    return *this;
  }
  EnvGuard&& set(const std::string& name, const std::string& value) && { return std::move(set(name, value)); }

private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};
