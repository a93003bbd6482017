/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Port forward checks: a server that answers each TCP connection and UDP datagram with the address it came from, and
 * the client that asks it. Static, run inside a test container (server) and in a client network namespace.
 *   echo-peer serve TCPPORT UDPPORT          prints "ready" once both listen (IPv4 and IPv6); exits after 300 s
 *   echo-peer ask tcp|udp ADDRESS PORT       prints the answer; fails after 3 s without one */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int listen_on(int type, int port) {
        struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t) port), .sin6_addr = IN6ADDR_ANY_INIT };
        int fd = socket(AF_INET6, type | SOCK_CLOEXEC, 0), zero = 0, one = 1;

        if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) < 0 ||
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
            bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 || (type == SOCK_STREAM && listen(fd, 16) < 0)) {
                perror("echo-peer: listen");
                exit(1);
        }
        return fd;
}

/* "a.b.c.d" for a v4-mapped peer, the IPv6 address otherwise */
static void peer_text(const struct sockaddr_in6 *sa, char *buf, size_t size) {
        if (IN6_IS_ADDR_V4MAPPED(&sa->sin6_addr))
                inet_ntop(AF_INET, &sa->sin6_addr.s6_addr[12], buf, (socklen_t) size);
        else
                inet_ntop(AF_INET6, &sa->sin6_addr, buf, (socklen_t) size);
        strcat(buf, "\n");
}

static _Noreturn void serve(int tcp_port, int udp_port) {
        struct pollfd p[2] = { { .fd = listen_on(SOCK_STREAM, tcp_port), .events = POLLIN },
                               { .fd = listen_on(SOCK_DGRAM, udp_port), .events = POLLIN } };

        alarm(300); /* a test that forgets us does not leave us running */
        printf("ready\n");
        fflush(stdout);
        for (;;) {
                struct sockaddr_in6 sa;
                socklen_t len = sizeof sa;
                char text[INET6_ADDRSTRLEN + 2], buf[512];

                if (poll(p, 2, -1) < 0)
                        continue;
                if (p[0].revents) {
                        int c = accept4(p[0].fd, (struct sockaddr *) &sa, &len, SOCK_CLOEXEC);
                        if (c >= 0) {
                                peer_text(&sa, text, sizeof text - 1);
                                (void) !write(c, text, strlen(text));
                                close(c);
                        }
                }
                len = sizeof sa;
                if (p[1].revents && recvfrom(p[1].fd, buf, sizeof buf, 0, (struct sockaddr *) &sa, &len) >= 0) {
                        peer_text(&sa, text, sizeof text - 1);
                        (void) sendto(p[1].fd, text, strlen(text), 0, (struct sockaddr *) &sa, len);
                }
        }
}

static int ask(const char *proto, const char *address, int port) {
        struct sockaddr_storage ss = {};
        struct sockaddr_in *s4 = (struct sockaddr_in *) &ss;
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) &ss;
        bool udp = strcmp(proto, "udp") == 0;
        socklen_t len;
        char buf[128];
        int fd;

        if (inet_pton(AF_INET, address, &s4->sin_addr) == 1) {
                s4->sin_family = AF_INET;
                s4->sin_port = htons((uint16_t) port);
                len = sizeof *s4;
        } else if (inet_pton(AF_INET6, address, &s6->sin6_addr) == 1) {
                s6->sin6_family = AF_INET6;
                s6->sin6_port = htons((uint16_t) port);
                len = sizeof *s6;
        } else
                return fprintf(stderr, "echo-peer: bad address %s\n", address), 2;
        fd = socket(ss.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return perror("echo-peer: socket"), 1;
        struct timeval tv = { .tv_sec = 3 };
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(fd, (struct sockaddr *) &ss, len) < 0)
                return perror("echo-peer: connect"), 1;
        if (udp && send(fd, "?", 1, 0) < 0)
                return perror("echo-peer: send"), 1;
        ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
        if (n <= 0)
                return fprintf(stderr, "echo-peer: no answer: %s\n", n < 0 ? strerror(errno) : "closed"), 1;
        buf[n] = 0;
        fputs(buf, stdout);
        return 0;
}

int main(int argc, char **argv) {
        if (argc == 4 && strcmp(argv[1], "serve") == 0)
                serve(atoi(argv[2]), atoi(argv[3]));
        if (argc == 5 && strcmp(argv[1], "ask") == 0)
                return ask(argv[2], argv[3], atoi(argv[4]));
        fprintf(stderr, "usage: echo-peer serve TCPPORT UDPPORT | ask tcp|udp ADDRESS PORT\n");
        return 2;
}
