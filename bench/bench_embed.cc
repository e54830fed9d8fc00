// The embedded emulator (libdynamo-emu, <dynamo/emulator.h>) as a test
// suite uses it: the time from Start() to the first answered request
// (in-process Dispatch, and GET / over HTTP on the port it bound), and the
// memory each idle emulator adds to the process.
//
//   ./build/bench/bench_embed [runs=30] [emulators=10] [threads=0 (cores)]
#include <arpa/inet.h>
#include <dynamo/emulator.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

// GET / on 127.0.0.1:port; true when answered 200.
bool HttpHealth(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const char req[] = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    (void)!write(fd, req, sizeof req - 1);
    char buf[256];
    ssize_t n = read(fd, buf, sizeof buf);
    ok = n > 12 && std::string(buf, 12) == "HTTP/1.1 200";
  }
  close(fd);
  return ok;
}

// Resident memory of this process, in KiB.
long RssKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

void Report(const char* what, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  std::printf("%-44s best %.2f ms  median %.2f ms  p90 %.2f ms\n", what, ms.front(),
              ms[ms.size() / 2], ms[ms.size() * 9 / 10]);
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 30;
  const int count = argc > 2 ? std::atoi(argv[2]) : 10;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 0;
  // Memory first, in a process that has not yet freed anything to reuse.
  {
    const long before = RssKib();
    std::vector<std::unique_ptr<dynamo::Emulator>> running;
    for (int i = 0; i < count; ++i) {
      auto emu = dynamo::Emulator::Start({.port = 0, .in_memory = true, .threads = threads});
      if (!emu.ok()) return 1;
      (void)(*emu)->Dispatch("ListTables", "{}");  // its store opened
      running.push_back(std::move(emu).value());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const long after = RssKib();
    std::printf(
        "idle emulators (threads=%d, 0: cores): %d add %.0f KiB RSS, %.0f KiB each (process %ld "
        "KiB)\n",
        threads, count, double(after - before), double(after - before) / count, after);
  }
  std::vector<double> dispatch_ms, http_ms;
  for (int i = 0; i < runs; ++i) {
    for (bool http : {false, true}) {
      const auto start = Clock::now();
      auto emu = dynamo::Emulator::Start({.port = 0, .in_memory = true});
      if (!emu.ok()) {
        std::fprintf(stderr, "start: %s\n", emu.error().message.c_str());
        return 1;
      }
      const bool answered =
          http ? HttpHealth((*emu)->port()) : (*emu)->Dispatch("ListTables", "{}").status == 200;
      (http ? http_ms : dispatch_ms).push_back(Ms(start));
      if (!answered) {
        std::fprintf(stderr, "no answer\n");
        return 1;
      }
    }
  }
  Report("Start() to first answer, Dispatch", dispatch_ms);
  Report("Start() to first answer, HTTP GET /", http_ms);

  return 0;
}
