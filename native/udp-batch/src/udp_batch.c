/*
 * Batched UDP for the DNS gateway's hot path: recvmmsg/sendmmsg on a non-blocking socket watched
 * by a uv_poll_t on the calling thread's loop. Node's dgram pays one recvmsg + one sendmsg + one
 * JS transition per datagram; here one wake-up reads up to `batch` datagrams into preallocated
 * slots shared with JS (external ArrayBuffer, no copies) and calls JS once per batch.
 *
 * Lifetime: the arena (slots, lengths, addresses) is referenced by the JS ArrayBuffer, the
 * wrapped handle object and the poll handle; it is freed when the last of the three lets go,
 * so a JS view kept past close() never reads freed memory (it just stops changing).
 * Context-aware (NAPI_MODULE_INIT, no globals), so it loads in worker_threads; an async
 * environment cleanup hook closes a socket the worker left open, because libuv must see the
 * poll handle closed before the worker's loop is torn down.
 */
#define _GNU_SOURCE
#ifndef __linux__
#error "udp-batch needs Linux (recvmmsg/sendmmsg)"
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <node_api.h>
#include <uv.h>

#define ADDR_BYTES 20
/* Batches per wake-up before yielding to the loop (uv_poll is level triggered: the rest comes
   on the next turn, after timers and other sockets had theirs). */
#define WAKE_BATCHES 4
#define MAX_BATCH 1024 /* UIO_MAXIOV */
#define MIN_SLOT 512
#define MAX_SLOT 65536

typedef struct {
  napi_env env;
  int fd;
  int family; /* AF_INET or AF_INET6 */
  uint32_t batch, slot;
  int closed;
  int in_callback; /* onBatch is running: close() must leave the async context to on_readable */
  int refs; /* arena owners still alive: ArrayBuffer, wrapper object, poll handle */
  uv_poll_t poll;
  napi_ref self;     /* strong while open: an open socket keeps its handle, as dgram does */
  napi_ref on_batch; /* strong while open */
  napi_async_context actx;
  napi_async_cleanup_hook_handle cleanup;

  uint8_t* arena;
  int32_t *in_len, *out_len;
  uint8_t *in_addr, *out_addr, *in_buf, *out_buf;
  struct mmsghdr *in_msgs, *out_msgs;
  struct iovec *in_iov, *out_iov;
  struct sockaddr_storage *in_sa, *out_sa;

  double received, sent, truncated, send_errors, recv_errors, batches;
} ub_t;

/* Tags the wrapped object so a stray object passed as a handle throws instead of crashing. */
static const napi_type_tag UB_TAG = {0x6d696e6577617264ULL, 0x656e756470626174ULL};

static void ub_unref(ub_t* ub) {
  if (--ub->refs > 0) return;
  free(ub->arena);
  free(ub->in_msgs);
  free(ub);
}

/* ---- errors ------------------------------------------------------------------------------ */

static napi_value throw_sys(napi_env env, const char* syscall, const char* host, int port, int err) {
  char msg[256];
  const char* code = uv_err_name(uv_translate_sys_error(err));
  snprintf(msg, sizeof msg, "udp-batch %s %s:%d: %s (%s)", syscall, host, port, strerror(err), code);
  napi_value m, c, e, v;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c);
  napi_create_error(env, c, m, &e);
  napi_create_int32(env, -err, &v);
  napi_set_named_property(env, e, "errno", v);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, e, "syscall", v);
  napi_throw(env, e);
  return NULL;
}

static napi_value type_error(napi_env env, const char* msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

/* ---- addresses: 20-byte records, [0]=4|6, [2..3]=port BE, [4..19]=address --------------- */

static void sa_to_rec(const struct sockaddr_storage* sa, uint8_t* rec) {
  memset(rec, 0, ADDR_BYTES);
  if (sa->ss_family == AF_INET) {
    const struct sockaddr_in* s = (const struct sockaddr_in*)sa;
    rec[0] = 4;
    memcpy(rec + 2, &s->sin_port, 2);
    memcpy(rec + 4, &s->sin_addr, 4);
  } else if (sa->ss_family == AF_INET6) {
    const struct sockaddr_in6* s = (const struct sockaddr_in6*)sa;
    rec[0] = 6;
    memcpy(rec + 2, &s->sin6_port, 2);
    memcpy(rec + 4, &s->sin6_addr, 16);
  }
}

/* 0 when the record does not fit the socket's family (a v6-only socket cannot reach v4). */
static socklen_t rec_to_sa(int family, const uint8_t* rec, struct sockaddr_storage* sa) {
  memset(sa, 0, sizeof *sa);
  if (family == AF_INET && rec[0] == 4) {
    struct sockaddr_in* s = (struct sockaddr_in*)sa;
    s->sin_family = AF_INET;
    memcpy(&s->sin_port, rec + 2, 2);
    memcpy(&s->sin_addr, rec + 4, 4);
    return sizeof *s;
  }
  if (family == AF_INET6 && rec[0] == 6) {
    struct sockaddr_in6* s = (struct sockaddr_in6*)sa;
    s->sin6_family = AF_INET6;
    memcpy(&s->sin6_port, rec + 2, 2);
    memcpy(&s->sin6_addr, rec + 4, 16);
    return sizeof *s;
  }
  return 0;
}

/* ---- closing ------------------------------------------------------------------------------- */

static void on_poll_closed(uv_handle_t* h) {
  ub_t* ub = h->data;
  /* Unregisters the env cleanup hook, or tells a running one it is done. */
  if (ub->cleanup != NULL) {
    napi_remove_async_cleanup_hook(ub->cleanup);
    ub->cleanup = NULL;
  }
  ub_unref(ub);
}

/* No JS here: also runs from the env cleanup hook and finalizers. */
static void close_native(ub_t* ub) {
  if (ub->closed) return;
  ub->closed = 1;
  uv_close((uv_handle_t*)&ub->poll, on_poll_closed); /* stops polling first ... */
  close(ub->fd);                                     /* ... so the fd may go right away */
  ub->fd = -1;
}

static void release_js(ub_t* ub) {
  if (ub->on_batch != NULL) { napi_delete_reference(ub->env, ub->on_batch); ub->on_batch = NULL; }
  if (ub->self != NULL) { napi_delete_reference(ub->env, ub->self); ub->self = NULL; }
  if (ub->actx != NULL && !ub->in_callback) { napi_async_destroy(ub->env, ub->actx); ub->actx = NULL; }
}

static void on_env_cleanup(napi_async_cleanup_hook_handle handle, void* arg) {
  (void)handle;
  ub_t* ub = arg;
  /* The references go with the env itself; only the libuv side needs closing before the loop. */
  ub->on_batch = NULL;
  ub->self = NULL;
  ub->actx = NULL;
  if (ub->closed) return; /* on_poll_closed is on its way and removes the hook */
  close_native(ub);
}

static void finalize_arena(napi_env env, void* data, void* hint) {
  (void)env; (void)data;
  ub_unref(hint);
}

static void finalize_wrap(napi_env env, void* data, void* hint) {
  (void)env; (void)hint;
  ub_t* ub = data;
  close_native(ub);
  ub_unref(ub);
}

/* ---- receiving ----------------------------------------------------------------------------- */

static void on_readable(uv_poll_t* h, int status, int events) {
  (void)events;
  ub_t* ub = h->data;
  if (ub->closed) return;
  if (status < 0) { ub->recv_errors++; return; }
  napi_env env = ub->env;
  for (int round = 0; round < WAKE_BATCHES && !ub->closed; round++) {
    for (uint32_t i = 0; i < ub->batch; i++) {
      ub->in_msgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
      ub->in_msgs[i].msg_hdr.msg_flags = 0;
    }
    int n = recvmmsg(ub->fd, ub->in_msgs, ub->batch, MSG_DONTWAIT, NULL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) ub->recv_errors++;
      break;
    }
    if (n == 0) break;
    for (int i = 0; i < n; i++) {
      if (ub->in_msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
        ub->in_len[i] = -1;
        ub->truncated++;
      } else {
        ub->in_len[i] = (int32_t)ub->in_msgs[i].msg_len;
      }
      sa_to_rec(&ub->in_sa[i], ub->in_addr + (size_t)i * ADDR_BYTES);
    }
    ub->received += n;
    ub->batches++;

    napi_handle_scope scope;
    napi_value cb, self, argv, result;
    napi_open_handle_scope(env, &scope);
    napi_get_reference_value(env, ub->on_batch, &cb);
    napi_get_reference_value(env, ub->self, &self);
    napi_create_int32(env, n, &argv);
    /* make_callback, not call_function: it drains nextTicks and microtasks afterwards, as
       dgram's 'message' does, and keeps async_hooks / AsyncLocalStorage contexts right. */
    ub->in_callback = 1;
    napi_status st = napi_make_callback(env, ub->actx, self, cb, 1, &argv, &result);
    ub->in_callback = 0;
    if (ub->closed && ub->actx != NULL) { napi_async_destroy(env, ub->actx); ub->actx = NULL; }
    if (st == napi_pending_exception) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err); /* to process 'uncaughtException', as any callback */
      napi_close_handle_scope(env, scope);
      return;
    }
    napi_close_handle_scope(env, scope);
    if ((uint32_t)n < ub->batch) break; /* drained */
  }
}

/* ---- JS API -------------------------------------------------------------------------------- */

static ub_t* unwrap(napi_env env, napi_value obj) {
  bool ok = false;
  void* p = NULL;
  napi_valuetype t;
  if (napi_typeof(env, obj, &t) != napi_ok || t != napi_object ||
      napi_check_object_type_tag(env, obj, &UB_TAG, &ok) != napi_ok || !ok ||
      napi_unwrap(env, obj, &p) != napi_ok) {
    type_error(env, "udp-batch: not a udp-batch handle");
    return NULL;
  }
  return p;
}

static int opt_u32(napi_env env, napi_value opts, const char* name, uint32_t def, uint32_t* out) {
  bool has = false;
  napi_value v;
  napi_valuetype t;
  *out = def;
  if (napi_has_named_property(env, opts, name, &has) != napi_ok || !has) return 1;
  napi_get_named_property(env, opts, name, &v);
  napi_typeof(env, v, &t);
  if (t == napi_undefined) return 1;
  if (t != napi_number) return 0;
  return napi_get_value_uint32(env, v, out) == napi_ok;
}

static napi_value add_view(napi_env env, napi_value obj, const char* name, napi_typedarray_type type,
                           size_t len, napi_value ab, size_t off) {
  napi_value v;
  napi_create_typedarray(env, type, len, ab, off, &v);
  napi_set_named_property(env, obj, name, v);
  return v;
}

static void set_u32(napi_env env, napi_value obj, const char* name, uint32_t x) {
  napi_value v;
  napi_create_uint32(env, x, &v);
  napi_set_named_property(env, obj, name, v);
}

/* open(host, port, opts, onBatch) → handle */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4) return type_error(env, "udp-batch open(host, port, opts, onBatch)");

  char host[64];
  size_t hl;
  if (napi_get_value_string_utf8(env, argv[0], host, sizeof host, &hl) != napi_ok)
    return type_error(env, "udp-batch open: host must be a string (an IP literal)");
  uint32_t port;
  if (napi_get_value_uint32(env, argv[1], &port) != napi_ok || port > 65535)
    return type_error(env, "udp-batch open: port must be 0-65535");
  napi_valuetype t;
  napi_typeof(env, argv[2], &t);
  if (t != napi_object) return type_error(env, "udp-batch open: opts must be an object");
  napi_typeof(env, argv[3], &t);
  if (t != napi_function) return type_error(env, "udp-batch open: onBatch must be a function");

  uint32_t batch, slot, rcvbuf, sndbuf;
  bool reuse = false;
  napi_value rv;
  if (napi_get_named_property(env, argv[2], "reusePort", &rv) == napi_ok) napi_get_value_bool(env, rv, &reuse);
  if (!opt_u32(env, argv[2], "batch", 64, &batch) || batch < 1 || batch > MAX_BATCH)
    return type_error(env, "udp-batch open: batch must be 1-1024");
  if (!opt_u32(env, argv[2], "slot", 4096, &slot) || slot < MIN_SLOT || slot > MAX_SLOT || slot % 8 != 0)
    return type_error(env, "udp-batch open: slot must be 512-65536 bytes, a multiple of 8");
  if (!opt_u32(env, argv[2], "rcvbuf", 0, &rcvbuf) || !opt_u32(env, argv[2], "sndbuf", 0, &sndbuf))
    return type_error(env, "udp-batch open: rcvbuf/sndbuf must be byte counts");

  struct sockaddr_storage sa;
  socklen_t salen;
  memset(&sa, 0, sizeof sa);
  struct sockaddr_in* s4 = (struct sockaddr_in*)&sa;
  struct sockaddr_in6* s6 = (struct sockaddr_in6*)&sa;
  if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    salen = sizeof *s4;
  } else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons((uint16_t)port);
    salen = sizeof *s6;
  } else {
    return type_error(env, "udp-batch open: host must be an IPv4 or IPv6 literal (no names, no %scope)");
  }

  int fd = socket(sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_sys(env, "socket", host, (int)port, errno);
  int one = 1;
  const char* what = NULL;
  if (sa.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0) what = "setsockopt(IPV6_V6ONLY)";
  else if (reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) what = "setsockopt(SO_REUSEPORT)";
  else if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0) what = "setsockopt(SO_RCVBUF)";
  else if (sndbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) < 0) what = "setsockopt(SO_SNDBUF)";
  else if (bind(fd, (struct sockaddr*)&sa, salen) < 0) what = "bind";
  if (what != NULL) {
    int err = errno;
    close(fd);
    return throw_sys(env, what, host, (int)port, err);
  }

  /* Arena: lengths first so the Int32Array views are aligned, then addresses, then slots. */
  size_t off_in_len = 0, off_out_len = batch * 4u, off_in_addr = 2u * batch * 4u;
  size_t off_out_addr = off_in_addr + (size_t)batch * ADDR_BYTES;
  size_t off_in_buf = off_out_addr + (size_t)batch * ADDR_BYTES;
  size_t off_out_buf = off_in_buf + (size_t)batch * slot;
  size_t arena_len = off_out_buf + (size_t)batch * slot;

  ub_t* ub = calloc(1, sizeof *ub);
  void* arena = NULL;
  /* One block for the kernel-facing vectors: msgs, iovecs and sockaddrs, in and out. */
  size_t vec_len = 2 * (size_t)batch * (sizeof(struct mmsghdr) + sizeof(struct iovec) + sizeof(struct sockaddr_storage));
  void* vec = malloc(vec_len);
  if (ub == NULL || vec == NULL || posix_memalign(&arena, 64, arena_len) != 0) {
    free(ub); free(vec); close(fd);
    napi_throw_error(env, "ENOMEM", "udp-batch open: out of memory");
    return NULL;
  }
  memset(arena, 0, arena_len);
  memset(vec, 0, vec_len);
  ub->env = env;
  ub->fd = fd;
  ub->family = sa.ss_family;
  ub->batch = batch;
  ub->slot = slot;
  ub->arena = arena;
  ub->in_len = (int32_t*)(ub->arena + off_in_len);
  ub->out_len = (int32_t*)(ub->arena + off_out_len);
  ub->in_addr = ub->arena + off_in_addr;
  ub->out_addr = ub->arena + off_out_addr;
  ub->in_buf = ub->arena + off_in_buf;
  ub->out_buf = ub->arena + off_out_buf;
  ub->in_msgs = vec;
  ub->out_msgs = ub->in_msgs + batch;
  ub->in_sa = (struct sockaddr_storage*)(ub->out_msgs + batch);
  ub->out_sa = ub->in_sa + batch;
  ub->in_iov = (struct iovec*)(ub->out_sa + batch);
  ub->out_iov = ub->in_iov + batch;
  for (uint32_t i = 0; i < batch; i++) {
    ub->in_iov[i].iov_base = ub->in_buf + (size_t)i * slot;
    ub->in_iov[i].iov_len = slot;
    ub->in_msgs[i].msg_hdr.msg_name = &ub->in_sa[i];
    ub->in_msgs[i].msg_hdr.msg_iov = &ub->in_iov[i];
    ub->in_msgs[i].msg_hdr.msg_iovlen = 1;
  }

  uv_loop_t* loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init(loop, &ub->poll, fd) != 0) {
    free(arena); free(vec); free(ub); close(fd);
    napi_throw_error(env, NULL, "udp-batch open: cannot watch the socket (uv_poll_init)");
    return NULL;
  }
  ub->poll.data = ub;
  ub->refs = 3; /* poll handle, ArrayBuffer, wrapper */

  napi_value obj, ab, name;
  napi_create_object(env, &obj);
  napi_create_external_arraybuffer(env, arena, arena_len, finalize_arena, ub, &ab);
  add_view(env, obj, "inLen", napi_int32_array, batch, ab, off_in_len);
  add_view(env, obj, "outLen", napi_int32_array, batch, ab, off_out_len);
  add_view(env, obj, "inAddr", napi_uint8_array, (size_t)batch * ADDR_BYTES, ab, off_in_addr);
  add_view(env, obj, "outAddr", napi_uint8_array, (size_t)batch * ADDR_BYTES, ab, off_out_addr);
  add_view(env, obj, "inBuf", napi_uint8_array, (size_t)batch * slot, ab, off_in_buf);
  add_view(env, obj, "outBuf", napi_uint8_array, (size_t)batch * slot, ab, off_out_buf);
  set_u32(env, obj, "batch", batch);
  set_u32(env, obj, "slot", slot);
  set_u32(env, obj, "family", sa.ss_family == AF_INET ? 4 : 6);
  napi_type_tag_object(env, obj, &UB_TAG);
  napi_wrap(env, obj, ub, finalize_wrap, NULL, NULL);
  napi_create_reference(env, obj, 1, &ub->self);
  napi_create_reference(env, argv[3], 1, &ub->on_batch);
  napi_create_string_utf8(env, "UDPBATCH", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, obj, name, &ub->actx);
  napi_add_async_cleanup_hook(env, on_env_cleanup, ub, &ub->cleanup);
  uv_poll_start(&ub->poll, UV_READABLE, on_readable);
  return obj;
}

/* sendBatch(handle, n) → datagrams sent; per-packet failures are counted, never thrown. */
static napi_value js_send_batch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  ub_t* ub = unwrap(env, argv[0]);
  if (ub == NULL) return NULL;
  uint32_t n;
  if (argc < 2 || napi_get_value_uint32(env, argv[1], &n) != napi_ok || n > ub->batch)
    return type_error(env, "udp-batch sendBatch: n must be 0..batch");
  uint32_t sent = 0;
  if (ub->closed) {
    ub->send_errors += n;
  } else {
    uint32_t k = 0;
    for (uint32_t j = 0; j < n; j++) {
      int32_t len = ub->out_len[j];
      socklen_t salen = rec_to_sa(ub->family, ub->out_addr + (size_t)j * ADDR_BYTES, &ub->out_sa[k]);
      if (len < 0 || (uint32_t)len > ub->slot || salen == 0) { ub->send_errors++; continue; }
      ub->out_iov[k].iov_base = ub->out_buf + (size_t)j * ub->slot;
      ub->out_iov[k].iov_len = (size_t)len;
      struct msghdr* m = &ub->out_msgs[k].msg_hdr;
      m->msg_name = &ub->out_sa[k];
      m->msg_namelen = salen;
      m->msg_iov = &ub->out_iov[k];
      m->msg_iovlen = 1;
      k++;
    }
    uint32_t at = 0;
    while (at < k) {
      int r = sendmmsg(ub->fd, ub->out_msgs + at, k - at, MSG_DONTWAIT);
      if (r > 0) { at += (uint32_t)r; sent += (uint32_t)r; continue; }
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) { ub->send_errors += k - at; break; }
      ub->send_errors++; /* this one datagram failed (e.g. EPERM, EMSGSIZE): skip it */
      at++;
    }
  }
  ub->sent += sent;
  napi_create_uint32(env, sent, &out);
  return out;
}

/* sendTo(handle, buf: Uint8Array, addr20: Uint8Array) → boolean */
static napi_value js_send_to(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], out;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  ub_t* ub = unwrap(env, argv[0]);
  if (ub == NULL) return NULL;
  napi_typedarray_type t1 = napi_int8_array, t2 = napi_int8_array;
  size_t l1 = 0, l2 = 0;
  void *d1 = NULL, *d2 = NULL;
  bool is1 = false, is2 = false;
  if (argc >= 3) {
    napi_is_typedarray(env, argv[1], &is1);
    napi_is_typedarray(env, argv[2], &is2);
  }
  if (is1) napi_get_typedarray_info(env, argv[1], &t1, &l1, &d1, NULL, NULL);
  if (is2) napi_get_typedarray_info(env, argv[2], &t2, &l2, &d2, NULL, NULL);
  if (!is1 || !is2 || t1 != napi_uint8_array || t2 != napi_uint8_array || l2 < ADDR_BYTES)
    return type_error(env, "udp-batch sendTo(handle, buf: Uint8Array, addr: 20-byte Uint8Array)");
  bool ok = false;
  struct sockaddr_storage sa;
  socklen_t salen = rec_to_sa(ub->family, d2, &sa);
  if (!ub->closed && salen != 0) {
    ssize_t r;
    do r = sendto(ub->fd, l1 > 0 ? d1 : "", l1, MSG_DONTWAIT, (struct sockaddr*)&sa, salen);
    while (r < 0 && errno == EINTR);
    ok = r >= 0;
  }
  if (ok) ub->sent++;
  else ub->send_errors++;
  napi_get_boolean(env, ok, &out);
  return out;
}

static napi_value js_port(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  ub_t* ub = unwrap(env, argv[0]);
  if (ub == NULL) return NULL;
  struct sockaddr_storage sa;
  socklen_t len = sizeof sa;
  if (ub->closed || getsockname(ub->fd, (struct sockaddr*)&sa, &len) < 0) {
    napi_throw_error(env, "ERR_SOCKET_CLOSED", "udp-batch port: socket is closed");
    return NULL;
  }
  uint16_t p = sa.ss_family == AF_INET ? ((struct sockaddr_in*)&sa)->sin_port : ((struct sockaddr_in6*)&sa)->sin6_port;
  napi_create_uint32(env, ntohs(p), &out);
  return out;
}

/* close(handle): idempotent; the port is free when it returns. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  ub_t* ub = unwrap(env, argv[0]);
  if (ub == NULL) return NULL;
  if (!ub->closed) {
    close_native(ub);
    release_js(ub);
  }
  return NULL;
}

/* ref(handle, on): whether the open socket keeps the event loop (and so the process) alive. */
static napi_value js_ref(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  bool on = true;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  ub_t* ub = unwrap(env, argv[0]);
  if (ub == NULL) return NULL;
  if (argc >= 2) napi_get_value_bool(env, argv[1], &on);
  if (!ub->closed) {
    if (on) uv_ref((uv_handle_t*)&ub->poll);
    else uv_unref((uv_handle_t*)&ub->poll);
  }
  return NULL;
}

static void set_num(napi_env env, napi_value obj, const char* name, double x) {
  napi_value v;
  napi_create_double(env, x, &v);
  napi_set_named_property(env, obj, name, v);
}

static napi_value js_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  ub_t* ub = unwrap(env, argv[0]);
  if (ub == NULL) return NULL;
  napi_create_object(env, &out);
  set_num(env, out, "received", ub->received);
  set_num(env, out, "sent", ub->sent);
  set_num(env, out, "truncated", ub->truncated);
  set_num(env, out, "sendErrors", ub->send_errors);
  set_num(env, out, "recvErrors", ub->recv_errors);
  set_num(env, out, "batches", ub->batches);
  return out;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor props[] = {
    {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sendBatch", NULL, js_send_batch, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sendTo", NULL, js_send_to, NULL, NULL, NULL, napi_enumerable, NULL},
    {"port", NULL, js_port, NULL, NULL, NULL, napi_enumerable, NULL},
    {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
    {"ref", NULL, js_ref, NULL, NULL, NULL, napi_enumerable, NULL},
    {"stats", NULL, js_stats, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  napi_value v;
  napi_create_uint32(env, ADDR_BYTES, &v);
  napi_set_named_property(env, exports, "ADDR_BYTES", v);
  return exports;
}
