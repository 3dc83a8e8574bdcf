// The retry client for real: a TCP server on 127.0.0.1 that drops the first connection and
// answers the second, and the client fetching from it with retries, on one io_context.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <cstdio>
#include <istream>

#include "retry_client.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

// Production transport: one line over a fresh TCP connection.
struct TcpTransport {
  asio::any_io_executor executor;
  tcp::endpoint server;

  asio::awaitable<std::string> request() {
    tcp::socket socket(executor);
    co_await socket.async_connect(server, asio::use_awaitable);
    co_await asio::async_write(socket, asio::buffer(std::string("hello\n")), asio::use_awaitable);
    asio::streambuf buffer;
    co_await asio::async_read_until(socket, buffer, '\n', asio::use_awaitable);
    std::string line;
    std::istream(&buffer) >> line;
    co_return line;
  }
};

// Drops its first connection, answers the next with "world".
asio::awaitable<void> serve(tcp::acceptor& acceptor) {
  for (int n = 0; n < 2; ++n) {
    tcp::socket peer = co_await acceptor.async_accept(asio::use_awaitable);
    if (n == 0) continue;  // closed at once: the client's read fails
    asio::streambuf buffer;
    co_await asio::async_read_until(peer, buffer, '\n', asio::use_awaitable);
    co_await asio::async_write(peer, asio::buffer(std::string("world\n")), asio::use_awaitable);
  }
}

}  // namespace

int main() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  asio::co_spawn(io, serve(acceptor), asio::detached);
  // The client's executor: the io_context's own txaio loop, as txaio::use_asio(io) would pick.
  asio::any_io_executor executor = txaio::asio_executor(io);
  TcpTransport transport{io.get_executor(), acceptor.local_endpoint()};
  asio_example::RetryPolicy policy{.max_attempts = 3, .timeout = 2s, .first_backoff = 10ms};
  int status = 1;
  asio::co_spawn(executor, asio_example::fetch_with_retry(executor, transport, policy),
                 [&](std::exception_ptr error, asio_example::Result result) {
                   if (error || !result.reply) {
                     std::puts("no reply");
                     return;
                   }
                   std::printf("reply \"%s\" after %zu attempts\n", result.reply->c_str(), result.attempts.size());
                   status = 0;
                 });
  io.run();
  return status;
}
