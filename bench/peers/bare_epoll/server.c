/* Benchmark yardstick (issue 12): the floor of what any server of this endpoint must do, in one
 * thread around one epoll loop. No JWT, no JSON parsing, no store: accept, read a request, answer
 * it, and on `PATCH /session/<n>` write one ready ~100-byte event to every open stream of that
 * session. Just enough of docs/contract.md for eudiplo_sse_loadgen (token, session creation, the
 * SSE head, retry, first event, keep-alive comments) so every scenario of bench/run.sh runs
 * against it unchanged. Tokens are accepted unread: it measures I/O, not authentication.
 *
 *   bare_epoll --listen 127.0.0.1:0 [--heartbeat SECONDS]   (other flags are ignored)
 *
 * Prints `listening on http://HOST:PORT`. A stream whose event or keep-alive does not fit into
 * the socket in one write() is closed (no per-stream output buffer: the floor keeps none). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/* Session ids as long as the UUIDs of the real servers, so events have the same size on the wire;
 * the last 12 hex digits are the index into `sessions`. */
#define ID_PREFIX "00000000-0000-4000-8000-"
#define ID_PREFIX_LEN 24
#define ID_FORMAT ID_PREFIX "%012zx"

enum { READ_CHUNK = 16384, MAX_PENDING = 65536, NONE = -1 };

/* One entry per file descriptor. A stream is linked into its session's list by fd. */
struct conn {
  char *pending;    /* bytes of an incomplete request, kept between reads (control only) */
  uint32_t pending_len;
  int32_t session;  /* session index while a stream, else NONE */
  int32_t prev, next;
  uint8_t open, stream;
};

struct session {
  int32_t head;     /* first stream fd, or NONE */
  uint32_t version;
  const char *status;
};

static struct conn *conns;
static size_t conn_cap;
static struct session *sessions;
static size_t session_count, session_cap;
static int epfd;
static unsigned long dropped;
static char inbuf[READ_CHUNK];

static void die(const char *what) {
  perror(what);
  exit(1);
}

static struct conn *conn_at(int fd) {
  if ((size_t)fd >= conn_cap) {
    size_t cap = conn_cap ? conn_cap : 1024;
    while (cap <= (size_t)fd) cap *= 2;
    conns = realloc(conns, cap * sizeof *conns);
    if (!conns) die("realloc");
    memset(conns + conn_cap, 0, (cap - conn_cap) * sizeof *conns);
    conn_cap = cap;
  }
  return &conns[fd];
}

static void unlink_stream(int fd) {
  struct conn *c = &conns[fd];
  if (!c->stream) return;
  if (c->prev != NONE) conns[c->prev].next = c->next;
  else sessions[c->session].head = c->next;
  if (c->next != NONE) conns[c->next].prev = c->prev;
  c->stream = 0;
}

static void close_conn(int fd) {
  struct conn *c = &conns[fd];
  unlink_stream(fd);
  free(c->pending);
  memset(c, 0, sizeof *c);
  close(fd); /* also leaves the epoll set */
}

/* All of `len` or the connection is closed: 0 on success. */
static int send_all(int fd, const char *data, size_t len) {
  ssize_t n = write(fd, data, len);
  if (n == (ssize_t)len) return 0;
  ++dropped;
  close_conn(fd);
  return -1;
}

static void iso_now(char out[32]) {
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out + n, 32 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000 % 1000));
}

static int format_event(char *out, size_t cap, size_t sid) {
  char now[32];
  iso_now(now);
  return snprintf(out, cap, "id: %u\ndata: {\"id\":\"" ID_FORMAT "\",\"status\":\"%s\",\"updatedAt\":\"%s\"}\n\n",
                  sessions[sid].version, sid, sessions[sid].status, now);
}

static void respond(int fd, const char *status, const char *body) {
  char out[512];
  int n = snprintf(out, sizeof out,
                   "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                   status, strlen(body), body);
  send_all(fd, out, (size_t)n);
}

/* "/session/<id>..." -> its index, or -1 when there is no such session. */
static long session_of(const char *path) {
  const size_t prefix = 9 + ID_PREFIX_LEN;
  if (strncmp(path, "/session/" ID_PREFIX, prefix) != 0) return -1;
  char *end;
  long sid = strtol(path + prefix, &end, 16);
  if (end != path + prefix + 12 || sid < 0 || (size_t)sid >= session_count) return -1;
  return sid;
}

static const char *status_in(const char *body, size_t len) {
  static const char *const names[] = {"active", "fetched", "completed", "expired", "failed"};
  for (size_t i = 0; i < sizeof names / sizeof *names; ++i) {
    if (memmem(body, len, names[i], strlen(names[i]))) return names[i];
  }
  return NULL;
}

static int terminal(const char *status) {
  return strcmp(status, "completed") == 0 || strcmp(status, "expired") == 0 ||
         strcmp(status, "failed") == 0;
}

static void create_session(int fd) {
  if (session_count == session_cap) {
    session_cap = session_cap ? session_cap * 2 : 1024;
    sessions = realloc(sessions, session_cap * sizeof *sessions);
    if (!sessions) die("realloc");
  }
  size_t sid = session_count++;
  sessions[sid] = (struct session){NONE, 1, "active"};
  char body[160];
  snprintf(body, sizeof body, "{\"id\":\"" ID_FORMAT "\",\"status\":\"active\",\"version\":1}", sid);
  respond(fd, "201 Created", body);
}

static void patch_session(int fd, long sid, const char *body, size_t len) {
  const char *status = status_in(body, len);
  if (sid < 0 || !status) {
    respond(fd, sid < 0 ? "404 Not Found" : "400 Bad Request", "{}");
    return;
  }
  struct session *s = &sessions[sid];
  if (status != s->status) {
    s->status = status;
    ++s->version;
    char event[256];
    int n = format_event(event, sizeof event, (size_t)sid);
    for (int at = s->head; at != NONE;) {
      int next = conns[at].next;
      if (send_all(at, event, (size_t)n) == 0 && terminal(status)) close_conn(at);
      at = next;
    }
  }
  respond(fd, "200 OK", "{}");
}

static void open_stream(int fd, long sid) {
  if (sid < 0) {
    respond(fd, "404 Not Found", "{}");
    return;
  }
  char out[512];
  int n = snprintf(out, sizeof out,
                   "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                   "Cache-Control: private, no-cache, no-store\r\nX-Accel-Buffering: no\r\n"
                   "Connection: keep-alive\r\n\r\nretry: 3000\n\n");
  n += format_event(out + n, sizeof out - (size_t)n, (size_t)sid);
  if (send_all(fd, out, (size_t)n) != 0) return;
  if (terminal(sessions[sid].status)) {
    close_conn(fd);
    return;
  }
  struct conn *c = &conns[fd];
  c->stream = 1;
  c->session = (int32_t)sid;
  c->prev = NONE;
  c->next = sessions[sid].head;
  if (c->next != NONE) conns[c->next].prev = fd;
  sessions[sid].head = fd;
}

static size_t content_length(const char *head, size_t head_len) {
  for (const char *p = head; p < head + head_len; ++p) {
    if (*p == '\n' && strncasecmp(p + 1, "content-length:", 15) == 0) return strtoul(p + 16, NULL, 10);
  }
  return 0;
}

/* Answers one complete request at the start of `req`: its length, 0 if incomplete, -1 if the
 * connection was closed. */
static long handle_request(int fd, char *req, size_t len) {
  char *end = memmem(req, len, "\r\n\r\n", 4);
  if (!end) return len > 8192 ? -2 : 0;
  size_t head_len = (size_t)(end - req) + 4;
  size_t body_len = content_length(req, head_len);
  if (len < head_len + body_len) return 0;
  char method[8] = {0}, path[1024] = {0};
  if (sscanf(req, "%7s %1023s", method, path) != 2) return -2;
  const char *body = req + head_len;
  if (strcmp(method, "GET") == 0 && strstr(path, "/events")) open_stream(fd, session_of(path));
  else if (strcmp(method, "PATCH") == 0) patch_session(fd, session_of(path), body, body_len);
  else if (strcmp(method, "POST") == 0 && strcmp(path, "/session") == 0) create_session(fd);
  else if (strcmp(method, "POST") == 0 && strcmp(path, "/oauth2/token") == 0)
    respond(fd, "200 OK", "{\"access_token\":\"bare\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
  else respond(fd, "404 Not Found", "{}");
  return conns[fd].open ? (long)(head_len + body_len) : -1;
}

static void on_readable(int fd) {
  struct conn *c = &conns[fd];
  ssize_t n = read(fd, inbuf, sizeof inbuf);
  if (n <= 0) {
    if (n < 0 && errno == EAGAIN) return;
    close_conn(fd);
    return;
  }
  if (c->stream) return; /* a stream's client sends nothing more; ignore it */
  char *data = inbuf;
  size_t len = (size_t)n;
  if (c->pending) { /* rare: a request split across reads */
    if (c->pending_len + len > MAX_PENDING) {
      close_conn(fd);
      return;
    }
    c->pending = realloc(c->pending, c->pending_len + len);
    if (!c->pending) die("realloc");
    memcpy(c->pending + c->pending_len, inbuf, len);
    c->pending_len += (uint32_t)len;
    data = c->pending;
    len = c->pending_len;
  }
  size_t used = 0;
  while (used < len && !c->stream) {
    long r = handle_request(fd, data + used, len - used);
    if (r == -2) close_conn(fd);
    if (r < 0) return; /* closed: `c` and `data` may be gone */
    if (r == 0) break;
    used += (size_t)r;
  }
  size_t rest = len - used;
  char *keep = rest && !c->stream ? malloc(rest) : NULL;
  if (keep) memcpy(keep, data + used, rest);
  free(c->pending);
  c->pending = keep;
  c->pending_len = keep ? (uint32_t)rest : 0;
}

static void heartbeat_all(void) {
  static const char beat[] = ": keep-alive\n\n";
  for (size_t sid = 0; sid < session_count; ++sid) {
    for (int at = sessions[sid].head; at != NONE;) {
      int next = conns[at].next;
      send_all(at, beat, sizeof beat - 1);
      at = next;
    }
  }
}

static int listen_on(const char *spec) {
  char host[64] = "127.0.0.1";
  const char *colon = strrchr(spec, ':');
  if (!colon || (size_t)(colon - spec) >= sizeof host) {
    fprintf(stderr, "bare_epoll: --listen HOST:PORT\n");
    exit(2);
  }
  memcpy(host, spec, (size_t)(colon - spec));
  host[colon - spec] = 0;
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) die("inet_pton");
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 4096) != 0)
    die("listen");
  socklen_t len = sizeof addr;
  getsockname(fd, (struct sockaddr *)&addr, &len);
  printf("listening on http://%s:%u\n", host, ntohs(addr.sin_port));
  fflush(stdout);
  return fd;
}

static void on_term(int sig) {
  (void)sig;
  _exit(0);
}

int main(int argc, char **argv) {
  const char *listen_spec = "127.0.0.1:8080";
  int heartbeat = 15;
  for (int i = 1; i + 1 < argc; ++i) {
    if (strcmp(argv[i], "--listen") == 0) listen_spec = argv[++i];
    else if (strcmp(argv[i], "--heartbeat") == 0) heartbeat = atoi(argv[++i]);
  }
  signal(SIGPIPE, SIG_IGN);
  signal(SIGTERM, on_term);
  int lfd = listen_on(listen_spec);
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  struct itimerspec every = {{heartbeat, 0}, {heartbeat, 0}};
  if (tfd < 0 || (heartbeat > 0 && timerfd_settime(tfd, 0, &every, NULL) != 0)) die("timerfd");
  if ((epfd = epoll_create1(0)) < 0) die("epoll_create1");
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
  epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
  ev.data.fd = tfd;
  epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &ev);
  struct epoll_event events[256];
  for (;;) {
    int n = epoll_wait(epfd, events, 256, -1);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == lfd) {
        int cfd;
        while ((cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          struct conn *c = conn_at(cfd);
          c->open = 1;
          ev.data.fd = cfd;
          epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, &ev);
        }
      } else if (fd == tfd) {
        uint64_t ticks;
        if (read(tfd, &ticks, sizeof ticks) > 0) heartbeat_all();
      } else if (conns[fd].open) {
        on_readable(fd);
      }
    }
  }
}
