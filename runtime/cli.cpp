#include "runtime/cli.h"

namespace berth::cli {

bool Parsed::flag(std::string_view name) const {
  auto it = values.find(name);
  return it != values.end() && it->second != "false";
}

std::string Parsed::get(std::string_view name, std::string_view fallback) const {
  auto it = values.find(name);
  return it == values.end() ? std::string(fallback) : it->second;
}

std::vector<std::string> Parsed::all(std::string_view name) const {
  auto it = lists.find(name);
  return it == lists.end() ? std::vector<std::string>{} : it->second;
}

static const Option *find_long(const std::vector<Option> &options, std::string_view name) {
  for (const auto &o : options)
    if (o.name == name) return &o;
  return nullptr;
}

static const Option *find_short(const std::vector<Option> &options, char c) {
  for (const auto &o : options)
    if (o.short_name == c) return &o;
  return nullptr;
}

Result<Parsed> parse(const std::vector<std::string> &args, size_t begin, const std::vector<Option> &options,
                     bool stop_at_positional) {
  Parsed out;
  for (size_t i = begin; i < args.size(); ++i) {
    const std::string &a = args[i];
    if (a == "--") {
      out.positional.insert(out.positional.end(), args.begin() + i + 1, args.end());
      break;
    }
    if (a.size() < 2 || a[0] != '-') {
      if (stop_at_positional) {
        out.positional.insert(out.positional.end(), args.begin() + i, args.end());
        break;
      }
      out.positional.push_back(a);
      continue;
    }
    std::string_view body = a;
    body.remove_prefix(body.starts_with("--") ? 2 : 1);
    std::string_view name = body, inline_value;
    bool has_inline = false;
    if (auto eq = body.find('='); eq != std::string_view::npos) {
      name = body.substr(0, eq);
      inline_value = body.substr(eq + 1);
      has_inline = true;
    }
    if (name == "help" || name == "h") {
      out.help = true;
      continue;
    }
    const Option *opt = find_long(options, name);
    if (!opt && name.size() == 1) opt = find_short(options, name[0]);
    if (!opt) return make_error("flag provided but not defined: -{}", name);
    std::string key(opt->name);
    if (opt->takes_value) {
      if (has_inline) {
        out.values[key] = std::string(inline_value);
      } else {
        if (i + 1 >= args.size()) return make_error("flag needs an argument: -{}", name);
        out.values[key] = args[++i];
      }
      out.lists[key].push_back(out.values[key]);
    } else {
      if (has_inline && inline_value != "true" && inline_value != "false")
        return make_error("invalid boolean value \"{}\" for -{}", inline_value, name);
      out.values[key] = has_inline ? std::string(inline_value) : "true";
    }
  }
  return out;
}

std::string format_options(const std::vector<Option> &options) {
  std::string out;
  for (const auto &o : options) {
    std::string left = "--" + std::string(o.name);
    if (o.short_name) left += fmt::format(", -{}", o.short_name);
    if (o.takes_value) left += " " + std::string(o.value_name);
    out += fmt::format("   {:<28} {}\n", left, o.help);
  }
  out += fmt::format("   {:<28} {}\n", "--help, -h", "show help");
  return out;
}

}  // namespace berth::cli
