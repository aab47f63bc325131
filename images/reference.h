// Image references as containerd and CRI-O read them:
//   busybox                      -> docker.io/library/busybox:latest
//   host:5000/team/app@sha256:.. -> that repository at that digest
#pragma once

#include <string>
#include <string_view>

#include "libcontainer/result.h"

namespace berth::images {

struct Reference {
  std::string registry;    // "docker.io", "quay.io", "127.0.0.1:5000"
  std::string repository;  // "library/busybox"
  std::string tag;         // "latest"; empty when only a digest was given
  std::string digest;      // "sha256:<hex>", or empty

  std::string name() const { return registry + "/" + repository; }
  // The canonical form: name[:tag][@digest].
  std::string str() const;
  // name:tag, or empty when there is no tag (what CRI calls a repo tag).
  std::string repo_tag() const { return tag.empty() ? std::string() : name() + ":" + tag; }
  // What the registry is asked for: the digest when there is one, else the tag.
  const std::string &manifest_ref() const { return digest.empty() ? tag : digest; }
};

// Parses and normalises text. A first component with a '.' or ':', or
// "localhost", is a registry; anything else goes to default_registry, and on
// docker.io a single-component name gains "library/". No tag and no digest
// means ":latest". Errors say what is wrong (EINVAL).
Result<Reference> parse_reference(std::string_view text,
                                  std::string_view default_registry = "docker.io");

// True when text looks like an image id or id prefix ("sha256:<hex>" or bare
// hex of at least 12 digits) rather than a name.
bool looks_like_image_id(std::string_view text);

}  // namespace berth::images
