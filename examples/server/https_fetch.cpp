#include "https_fetch.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <optional>

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/error.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/write.hpp>

#include "eudiplo_sse/error.hpp"

namespace eudiplo_sse::server {
namespace {

constexpr std::size_t kMaxHeaderBytes = 16 * 1024;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Chunked transfer coding (RFC 9112 7.1) into `out`; false when malformed or too large.
bool decode_chunked(std::string_view body, std::size_t max_body, std::string& out) {
  for (;;) {
    const auto eol = body.find("\r\n");
    if (eol == std::string_view::npos) return false;
    std::string_view size_text = body.substr(0, eol);
    size_text = size_text.substr(0, size_text.find(';'));  // chunk extensions
    size_text = trim(size_text);
    std::size_t size = 0;
    const auto r = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
    if (size_text.empty() || r.ec != std::errc() || r.ptr != size_text.data() + size_text.size()) {
      return false;
    }
    body.remove_prefix(eol + 2);
    if (size == 0) return true;  // trailers, if any, are ignored
    if (size > max_body - std::min(max_body, out.size()) || body.size() < size + 2) return false;
    out.append(body.substr(0, size));
    body.remove_prefix(size + 2);
  }
}

}  // namespace

bool parse_https_url(std::string_view url, HttpsUrl& out) {
  constexpr std::string_view scheme = "https://";
  if (url.size() <= scheme.size() || !iequals(url.substr(0, scheme.size()), scheme)) return false;
  url.remove_prefix(scheme.size());
  if (url.find('#') != std::string_view::npos) return false;
  const auto slash = url.find_first_of("/?");
  std::string_view authority = url.substr(0, slash);
  std::string target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  if (target.front() == '?') target.insert(0, "/");
  if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
  std::string_view host = authority;
  std::string_view port = "443";
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = authority.substr(1, close - 1);
    const auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  unsigned p = 0;
  const auto r = std::from_chars(port.data(), port.data() + port.size(), p);
  if (host.empty() || port.empty() || r.ec != std::errc() || r.ptr != port.data() + port.size() ||
      p == 0 || p > 65535) {
    return false;
  }
  for (const char c : target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;  // no CR, LF, spaces
  }
  out.host = std::string(host);
  out.port = std::string(port);
  out.target = std::move(target);
  return true;
}

bool parse_http_response(std::string_view raw, std::size_t max_body, HttpFetchResult& out) {
  const auto head_end = raw.find("\r\n\r\n");
  if (head_end == std::string_view::npos || head_end > kMaxHeaderBytes) return false;
  std::string_view head = raw.substr(0, head_end + 2);
  std::string_view body = raw.substr(head_end + 4);
  const auto first_eol = head.find("\r\n");
  const std::string_view status_line = head.substr(0, first_eol);
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ') {
    return false;
  }
  const auto r = std::from_chars(status_line.data() + 9, status_line.data() + 12, out.status);
  if (r.ec != std::errc() || r.ptr != status_line.data() + 12) return false;
  head.remove_prefix(first_eol + 2);
  bool chunked = false;
  std::optional<std::size_t> length;
  while (!head.empty()) {
    const auto eol = head.find("\r\n");
    const std::string_view line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "cache-control")) {
      if (!out.cache_control.empty()) out.cache_control += ", ";
      out.cache_control += std::string(value);
    } else if (iequals(name, "transfer-encoding")) {
      chunked = value.size() >= 7 && iequals(value.substr(value.size() - 7), "chunked");
    } else if (iequals(name, "content-length")) {
      std::size_t n = 0;
      const auto rr = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || rr.ec != std::errc() || rr.ptr != value.data() + value.size())
        return false;
      length = n;
    }
  }
  out.body.clear();
  if (chunked) return decode_chunked(body, max_body, out.body);
  if (length) {
    if (*length > max_body || body.size() < *length) return false;
    body = body.substr(0, *length);
  }
  if (body.size() > max_body) return false;
  out.body = std::string(body);
  return true;
}

namespace {

// One GET: resolve, connect, TLS handshake with certificate and host checks,
// request, read to the end. Every step runs on its own strand, the deadline too.
class FetchOperation : public std::enable_shared_from_this<FetchOperation> {
 public:
  FetchOperation(asio::io_context& io, asio::ssl::context& tls, HttpsUrl url,
                 const HttpsFetchOptions& options, HttpFetchDone done)
      : strand_(asio::make_strand(io)),
        resolver_(strand_),
        stream_(strand_, tls),
        deadline_(strand_),
        url_(std::move(url)),
        options_(options),
        done_(std::move(done)) {}

  void start() {
    auto self = shared_from_this();
    asio::dispatch(strand_, [self] {
      self->deadline_.expires_after(self->options_.timeout);
      self->deadline_.async_wait([self](const std::error_code& ec) {
        if (!ec) self->finish(std::make_error_code(std::errc::timed_out));
      });
      self->resolver_.async_resolve(
          self->url_.host, self->url_.port,
          [self](const std::error_code& ec, const asio::ip::tcp::resolver::results_type& results) {
            if (ec) return self->finish(ec);
            self->connect(results);
          });
    });
  }

 private:
  void connect(const asio::ip::tcp::resolver::results_type& results) {
    auto self = shared_from_this();
    asio::async_connect(stream_.lowest_layer(), results,
                        [self](const std::error_code& ec, const asio::ip::tcp::endpoint&) {
                          if (ec) return self->finish(ec);
                          self->handshake();
                        });
  }

  void handshake() {
    SSL* ssl = stream_.native_handle();
    std::error_code address_ec;
    asio::ip::make_address(url_.host, address_ec);
    const bool is_ip = !address_ec;
    // The name the certificate must carry: an IP address SAN or a DNS name (and SNI).
    const bool named =
        is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url_.host.c_str()) == 1
              : SSL_set1_host(ssl, url_.host.c_str()) == 1 &&
                    SSL_set_tlsext_host_name(ssl, url_.host.c_str()) == 1;
    if (!named) return finish(make_error_code(error::key_source_failed));
    stream_.set_verify_mode(asio::ssl::verify_peer);
    auto self = shared_from_this();
    stream_.async_handshake(asio::ssl::stream_base::client, [self](const std::error_code& ec) {
      if (ec) return self->finish(ec);
      self->send();
    });
  }

  void send() {
    const bool default_port = url_.port == "443";
    const bool v6 = url_.host.find(':') != std::string::npos;
    const std::string host =
        (v6 ? "[" + url_.host + "]" : url_.host) + (default_port ? "" : ":" + url_.port);
    request_ = "GET " + url_.target + " HTTP/1.1\r\nHost: " + host +
               "\r\nAccept: application/json\r\nUser-Agent: eudiplo_sse_server\r\n"
               "Connection: close\r\n\r\n";
    auto self = shared_from_this();
    asio::async_write(stream_, asio::buffer(request_),
                      [self](const std::error_code& ec, std::size_t) {
                        if (ec) return self->finish(ec);
                        self->read();
                      });
  }

  void read() {
    auto self = shared_from_this();
    stream_.async_read_some(asio::buffer(chunk_), [self](const std::error_code& ec, std::size_t n) {
      self->response_.append(self->chunk_, n);
      if (self->response_.size() > self->options_.max_body + kMaxHeaderBytes) {
        return self->finish(std::make_error_code(std::errc::file_too_large));
      }
      // Servers often close without TLS close_notify; the HTTP framing decides
      // whether the answer is complete.
      if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated)
        return self->finish({});
      if (ec) return self->finish(ec);
      HttpFetchResult probe;
      if (parse_http_response(self->response_, self->options_.max_body, probe)) {
        return self->finish({}, std::move(probe));
      }
      self->read();
    });
  }

  void finish(std::error_code ec, std::optional<HttpFetchResult> parsed = std::nullopt) {
    if (!done_) return;
    auto done = std::move(done_);
    done_ = nullptr;
    deadline_.cancel();
    std::error_code ignored;
    stream_.lowest_layer().close(ignored);
    resolver_.cancel();
    HttpFetchResult result;
    if (ec) {
      result.error = ec;
    } else if (parsed) {
      result = std::move(*parsed);
    } else if (!parse_http_response(response_, options_.max_body, result)) {
      result = HttpFetchResult{};
      result.error = make_error_code(error::key_source_failed);
    }
    try {
      done(std::move(result));
    } catch (...) {
      // The key source counts its own failures; nothing may escape a handler.
    }
  }

  asio::strand<asio::io_context::executor_type> strand_;
  asio::ip::tcp::resolver resolver_;
  asio::ssl::stream<asio::ip::tcp::socket> stream_;
  asio::steady_timer deadline_;
  HttpsUrl url_;
  HttpsFetchOptions options_;
  HttpFetchDone done_;
  std::string request_;
  std::string response_;
  char chunk_[8192];
};

}  // namespace

HttpsFetcher::HttpsFetcher(asio::io_context& io, HttpsFetchOptions options,
                           std::shared_ptr<asio::ssl::context> tls)
    : io_(io), options_(std::move(options)), tls_(std::move(tls)) {}

std::shared_ptr<HttpsFetcher> HttpsFetcher::create(asio::io_context& io, HttpsFetchOptions options,
                                                   std::string& message) {
  auto tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
  std::error_code ec;
  if (options.ca_file.empty()) {
    tls->set_default_verify_paths(ec);
  } else {
    tls->load_verify_file(options.ca_file, ec);
  }
  if (ec) {
    message = options.ca_file.empty()
                  ? "cannot load the system trust store: " + ec.message()
                  : "cannot load CA file " + options.ca_file + ": " + ec.message();
    return nullptr;
  }
  return std::make_shared<HttpsFetcher>(io, std::move(options), std::move(tls));
}

void HttpsFetcher::get(const std::string& url, HttpFetchDone done) {
  HttpsUrl parsed;
  if (!parse_https_url(url, parsed)) {
    HttpFetchResult result;
    result.error = make_error_code(error::key_source_failed);
    asio::post(io_, [done = std::move(done), result]() mutable { done(std::move(result)); });
    return;
  }
  std::make_shared<FetchOperation>(io_, *tls_, std::move(parsed), options_, std::move(done))
      ->start();
}

HttpFetch make_https_fetch(std::shared_ptr<HttpsFetcher> fetcher) {
  return
      [fetcher](const std::string& url, HttpFetchDone done) { fetcher->get(url, std::move(done)); };
}

HttpFetchResult fetch_blocking(const std::string& url, const HttpsFetchOptions& options,
                               std::string& message) {
  asio::io_context io;
  auto fetcher = HttpsFetcher::create(io, options, message);
  HttpFetchResult result;
  if (!fetcher) {
    result.error = make_error_code(error::key_source_failed);
    return result;
  }
  fetcher->get(url, [&result](HttpFetchResult r) { result = std::move(r); });
  io.run();
  return result;
}

}  // namespace eudiplo_sse::server
