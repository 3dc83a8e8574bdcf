// txaio-replay and the files it is given, run as a process on real files, FIFOs, symlinks
// and devices: inputs are never overwritten, symlinks stay symlinks, special files are refused
// without blocking, and concurrent --update runs never leave a partial file.
#include "txaio/replay/detail/input_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "process.hpp"
#include "txaio/replay/replay.hpp"

namespace {

namespace fs = std::filesystem;
using namespace txaio::replay;

const std::string good = "txaio-scenario 1\nat 0 call_later a 1\nexpect 1 fire a\n";
const std::string wrong = "txaio-scenario 1\nat 0 call_later a 1\nexpect 2 fire a\n";
const std::string fixed = "txaio-scenario 1\nat 0 call_later a 1\nexpect 1 fire a\n";

// Runs the program; `timeout` turns a hang into exit code 124 instead of a stuck test.
CommandResult replay(const std::string& args) {
  return run_command("timeout 60 " + shell_quote(TXAIO_REPLAY_EXE) + " " + args);
}

std::string q(const fs::path& p) { return shell_quote(p.string()); }

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

void make_fifo(const fs::path& p) { ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0); }

// --- F10: special files given as paths ------------------------------------------------------

TEST(CliFiles, FifoGivenAsAPathIsRefusedWithoutWaitingForAWriter) {
  TempDir dir;
  const auto fifo = dir.path() / "pipe.txs";
  make_fifo(fifo);
  const CommandResult r = replay(q(fifo));
  EXPECT_EQ(r.exit_code, exit_usage) << r.output;
  EXPECT_TRUE(has(r.output, fifo.string() + ": not a regular file (a FIFO)")) << r.output;
}

TEST(CliFiles, DeviceGivenAsAPathIsRefusedBeforeReading) {
  const CommandResult r = replay("/dev/zero");
  EXPECT_EQ(r.exit_code, exit_usage) << r.output;
  EXPECT_TRUE(has(r.output, "/dev/zero: not a regular file (a character device)")) << r.output;
}

TEST(CliFiles, ReaderRefusesFifosAndBoundsTheSize) {
  TempDir dir;
  const auto fifo = dir.path() / "pipe.txs";
  make_fifo(fifo);
  EXPECT_THROW(detail::read_input_file(fifo), std::runtime_error);  // returns at once: no writer needed
  const auto big = dir.write("big.txs", std::string(1000, '#'));
  EXPECT_EQ(detail::read_input_file(big, 1000).size(), 1000u);
  try {
    detail::read_input_file(big, 999);
    ADD_FAILURE() << "a file over the bound was read";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(has(e.what(), big.string() + ": file is larger than 999 bytes")) << e.what();
  }
}

TEST(CliFiles, SymlinkLoopsNameThePathGivenAndSayLoop) {
  TempDir dir;
  dir.write("d/a.txs", good);
  fs::create_directory_symlink(".", dir.path() / "d/loop");
  fs::create_symlink("self.txs", dir.path() / "self.txs");
  const CommandResult folder = replay(q(dir.path() / "d"));
  EXPECT_EQ(folder.exit_code, exit_usage) << folder.output;
  EXPECT_TRUE(has(folder.output, "symlink loop at " + (dir.path() / "d/loop").string())) << folder.output;
  EXPECT_FALSE(has(folder.output, "loop/loop")) << folder.output;
  const CommandResult self = replay(q(dir.path() / "self.txs"));
  EXPECT_EQ(self.exit_code, exit_usage) << self.output;
  EXPECT_TRUE(has(self.output, (dir.path() / "self.txs").string() + ": symlink loop")) << self.output;
}

}  // namespace
