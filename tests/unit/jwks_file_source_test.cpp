// JwksFileSource: reload on change (rewrite, rename over), on demand, and the last
// good key set kept when the file turns bad or vanishes.
#include "eudiplo_sse/jwks_file_source.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "catch.hpp"
#include "key_rotation_keys.hpp"

using eudiplo_sse::error;
using eudiplo_sse::JwksFileSource;
using eudiplo_sse::JwksFileSourceOptions;
using eudiplo_sse::JwtVerifier;
using eudiplo_sse::JwtVerifierOptions;
using rotation_test::jwks_of;
using rotation_test::make_key;
using rotation_test::token_of;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/eudiplo_sse_jwks_XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    for (const char* name : {"/jwks.json", "/jwks.tmp"}) std::remove((path + name).c_str());
    rmdir(path.c_str());
  }
};

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

JwtVerifierOptions options() {
  JwtVerifierOptions o;
  o.issuer = "issuer";
  o.audience = "audience";
  o.cache_size = 64;
  return o;
}

}  // namespace

TEST_CASE("a JWKS file is reloaded when it changes", "[jwks][file]") {
  TempDir dir;
  const std::string file = dir.path + "/jwks.json";
  const auto a = make_key("a");
  const auto b = make_key("b");
  const auto c = make_key("c");
  write_file(file, jwks_of({&a}));

  JwtVerifier verifier(options());
  std::vector<std::string> log;
  JwksFileSourceOptions o;
  o.path = file;
  o.log = [&log](std::string_view line) { log.emplace_back(line); };
  JwksFileSource source(verifier, o);
  REQUIRE_FALSE(source.load());
  const auto now = jwt_test::at(jwt_test::kNow);
  const auto token_a = token_of(a);
  REQUIRE_FALSE(verifier.verify(token_a, now).error);
  REQUIRE_FALSE(verifier.verify(token_a, now).error);  // cached

  source.tick();  // unchanged: no read
  CHECK(source.stats().attempts == 1);

  // Rewritten in place (a longer file: size differs even if mtime granularity is coarse).
  write_file(file, jwks_of({&b, &c}));
  source.tick();
  CHECK(source.stats().attempts == 2);
  CHECK(verifier.key_count() == 2);
  CHECK(verifier.verify(token_a, now).error == error::key_unknown);
  CHECK_FALSE(verifier.verify(token_of(b), now).error);

  // Renamed over (new inode), as atomic updates and mounted secrets do.
  write_file(dir.path + "/jwks.tmp", jwks_of({&a}));
  REQUIRE(std::rename((dir.path + "/jwks.tmp").c_str(), file.c_str()) == 0);
  source.tick();
  CHECK(verifier.key_count() == 1);
  CHECK_FALSE(verifier.verify(token_a, now).error);
  CHECK(source.stats().refreshes == 3);
}

TEST_CASE("a bad or missing JWKS file keeps the last good set", "[jwks][file]") {
  TempDir dir;
  const std::string file = dir.path + "/jwks.json";
  const auto a = make_key("a");
  write_file(file, jwks_of({&a}));
  JwtVerifier verifier(options());
  std::vector<std::string> log;
  JwksFileSourceOptions o;
  o.path = file;
  o.log = [&log](std::string_view line) { log.emplace_back(line); };
  JwksFileSource source(verifier, o);
  REQUIRE_FALSE(source.load());
  const auto now = jwt_test::at(jwt_test::kNow);

  write_file(file, "{\"keys\": [ garbage");
  source.tick();
  CHECK(source.stats().failures == 1);
  CHECK(source.stats().last_error == error::key_invalid);
  CHECK_FALSE(verifier.verify(token_of(a), now).error);
  source.tick();  // the same bad file is not re-read, nor logged again
  CHECK(source.stats().failures == 1);

  std::remove(file.c_str());
  source.tick();
  CHECK(source.stats().failures == 2);
  CHECK(source.stats().last_error == error::key_source_failed);
  CHECK(verifier.key_count() == 1);
  const auto lines = log.size();
  source.tick();
  CHECK(log.size() == lines);

  // refresh() re-reads whether or not anything changed.
  write_file(file, jwks_of({&a}));
  source.refresh();
  CHECK_FALSE(source.stats().last_error);
  CHECK(source.stats().refreshes == 2);
  bool kept_logged = false;
  for (const auto& line : log)
    kept_logged |= line.find("keeping the last good key set") != std::string::npos;
  CHECK(kept_logged);
  JwksFileSourceOptions missing;
  missing.path = dir.path + "/none.json";
  CHECK(JwksFileSource(verifier, missing).load() == error::key_source_failed);
}
