#include "images/auth_challenge.h"

#include <cctype>

namespace berth::images {

namespace {

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto &c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Lexer {
  std::string_view s;
  size_t i = 0;
  void skip_space() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) i++;
  }
  std::string_view token() {
    size_t start = i;
    while (i < s.size() && is_token_char(s[i])) i++;
    return s.substr(start, i - start);
  }
  std::string quoted() {  // at the opening quote
    std::string out;
    i++;
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\' && i + 1 < s.size()) i++;
      out.push_back(s[i++]);
    }
    if (i < s.size()) i++;
    return out;
  }
  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
};

}  // namespace

std::vector<AuthChallenge> parse_auth_challenges(std::string_view header) {
  std::vector<AuthChallenge> out;
  Lexer lx{header};
  while (true) {
    lx.skip_space();
    while (lx.peek() == ',') {
      lx.i++;
      lx.skip_space();
    }
    if (lx.done()) break;
    std::string_view scheme = lx.token();
    if (scheme.empty()) {  // garbage: skip one character and resynchronise
      lx.i++;
      continue;
    }
    AuthChallenge ch{lower(scheme), {}};
    // auth-params: name=value pairs separated by commas, until the next "scheme " token.
    while (true) {
      lx.skip_space();
      size_t save = lx.i;
      std::string_view name = lx.token();
      lx.skip_space();
      if (name.empty() || lx.peek() != '=') {
        lx.i = save;  // the next challenge's scheme, or the end
        break;
      }
      lx.i++;
      lx.skip_space();
      std::string value = lx.peek() == '"' ? lx.quoted() : std::string(lx.token());
      ch.params[lower(name)] = value;
      lx.skip_space();
      if (lx.peek() == ',') lx.i++;
    }
    out.push_back(std::move(ch));
  }
  return out;
}

}  // namespace berth::images
