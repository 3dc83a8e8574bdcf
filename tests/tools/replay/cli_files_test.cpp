// txaio-replay and the files it is given, run as a process on real files, FIFOs, symlinks
// and devices: inputs are never overwritten, symlinks stay symlinks, special files are refused
// without blocking, and concurrent --update runs never leave a partial file.
#include "txaio/replay/detail/input_file.hpp"
#include "txaio/replay/detail/output_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
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

TEST(CliFiles, JunitIsWellFormedForFileNamesThatAreNotUtf8) {
  TempDir dir;
  const auto f = dir.write("bad-\xFF\xC3(-name\x01.txs", wrong);
  const auto junit = dir.path() / "junit.xml";
  const CommandResult r = replay("--junit " + q(junit) + " " + q(f));
  EXPECT_EQ(r.exit_code, exit_failed) << r.output;
  const std::string xml = TempDir::read(junit);
  EXPECT_TRUE(has(xml, "name=\"bad-\uFFFD\uFFFD(-name?.txs\"")) << xml;
  // An XML parser reads it, where one is installed.
  if (run_command("command -v python3").exit_code == 0) {
    const CommandResult parsed = run_command("python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' " + q(junit));
    EXPECT_EQ(parsed.exit_code, 0) << parsed.output;
  }
}

// --- F4: outputs never replace inputs or special files ----------------------------------------

TEST(CliFiles, AnOutputThatIsAnInputIsRefusedAndTheInputKept) {
  TempDir dir;
  const auto s = dir.write("d/s.txs", good);
  fs::create_symlink(s, dir.path() / "link.xml");
  for (const std::string option : {"--junit", "--report"}) {
    for (const fs::path& out : {s, dir.path() / "link.xml", dir.path() / "d/./s.txs"}) {
      for (const fs::path& in : {s, dir.path() / "d"}) {
        const CommandResult r = replay(option + " " + q(out) + " " + q(in));
        EXPECT_EQ(r.exit_code, exit_usage) << option << " " << out << " " << in << "\n" << r.output;
        EXPECT_TRUE(has(r.output, option + " " + out.string() + ": is the scenario file")) << r.output;
        EXPECT_EQ(TempDir::read(s), good);
      }
    }
  }
}

TEST(CliFiles, JunitAndReportMustBeTwoFiles) {
  TempDir dir;
  const auto s = dir.write("s.txs", good);
  fs::create_directory(dir.path() / "out");
  fs::create_symlink(dir.path() / "out/r.xml", dir.path() / "link.xml");  // dangling until written
  for (const std::string& other : {(dir.path() / "out/r.xml").string(), (dir.path() / "out/../out/r.xml").string(),
                                   (dir.path() / "link.xml").string()}) {
    const CommandResult r = replay("--junit " + q(dir.path() / "out/r.xml") + " --report " + shell_quote(other) + " " + q(s));
    EXPECT_EQ(r.exit_code, exit_usage) << other << "\n" << r.output;
    EXPECT_TRUE(has(r.output, "are the same file")) << r.output;
    EXPECT_FALSE(fs::exists(dir.path() / "out/r.xml"));
  }
}

TEST(CliFiles, OutputsAreWrittenThroughSymlinks) {
  TempDir dir;
  const auto s = dir.write("s.txs", good);
  const auto real = dir.write("reports/real.xml", "old");
  fs::create_symlink(real, dir.path() / "junit.xml");
  ::chmod(real.c_str(), 0640);
  const CommandResult r = replay("--junit " + q(dir.path() / "junit.xml") + " " + q(s));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::is_symlink(dir.path() / "junit.xml"));
  EXPECT_TRUE(has(TempDir::read(real), "<testsuite")) << TempDir::read(real);
  EXPECT_EQ(fs::status(real).permissions(), fs::perms(0640));
}

TEST(CliFiles, UpdateWritesThroughASymlinkedScenario) {
  TempDir dir;
  const auto real = dir.write("real/w.txs", wrong);
  const auto link = dir.path() / "w.txs";
  fs::create_symlink(real, link);
  const CommandResult r = replay("--update " + q(link));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(TempDir::read(real), fixed);
}

TEST(CliFiles, SpecialFilesAsOutputsAreRefusedAndKept) {
  TempDir dir;
  const auto s = dir.write("s.txs", good);
  const auto fifo = dir.path() / "out.xml";
  make_fifo(fifo);
  for (const std::string option : {"--junit", "--report"}) {
    const CommandResult r = replay(option + " " + q(fifo) + " " + q(s));
    EXPECT_EQ(r.exit_code, exit_usage) << r.output;
    EXPECT_TRUE(has(r.output, option + " " + fifo.string() + ": not a regular file (a FIFO)")) << r.output;
    EXPECT_TRUE(fs::is_fifo(fifo));
  }
  const CommandResult folder = replay("--junit " + q(dir.path()) + " " + q(s));
  EXPECT_EQ(folder.exit_code, exit_usage) << folder.output;
  EXPECT_TRUE(has(folder.output, "not a regular file (a folder)")) << folder.output;
}

TEST(CliFiles, AFailedWriteKeepsTheOldFileAndRemovesTheTemporaryOne) {
  TempDir dir;
  const auto s = dir.write("in/s.txs", good);
  const auto report = dir.write("out/report.html", "old report");
  // A file size limit of a few blocks makes the report's write fail with EFBIG.
  const CommandResult r = run_command("trap '' XFSZ; ulimit -f 2; timeout 60 " + shell_quote(TXAIO_REPLAY_EXE) + " --report " +
                                      q(report) + " " + q(s));
  EXPECT_EQ(r.exit_code, exit_usage) << r.output;
  EXPECT_TRUE(has(r.output, "--report: cannot write " + report.string() + ": write: File too large")) << r.output;
  EXPECT_EQ(TempDir::read(report), "old report");
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path() / "out")) ++files;
  EXPECT_EQ(files, 1u) << "temporary file left behind";
}

TEST(CliFiles, WriterLeavesNoTemporaryFileBehind) {
  TempDir dir;
  detail::write_output_file(dir.path() / "new/out.txt", "one");
  detail::write_output_file(dir.path() / "new/out.txt", "two");
  EXPECT_EQ(TempDir::read(dir.path() / "new/out.txt"), "two");
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path() / "new")) ++files;
  EXPECT_EQ(files, 1u);
  const auto fifo = dir.path() / "fifo";
  make_fifo(fifo);
  EXPECT_THROW(detail::write_output_file(fifo, "x"), std::runtime_error);
  EXPECT_TRUE(fs::is_fifo(fifo));
}

// --- F7: concurrent --update -----------------------------------------------------------------

TEST(CliFiles, ReplaceOnlyWhileTheFileHoldsWhatWasRead) {
  TempDir dir;
  const auto f = dir.write("f.txs", "mine");
  EXPECT_EQ(detail::replace_file_text(f, "mine", "new"), detail::Replaced::written);
  EXPECT_EQ(detail::replace_file_text(f, "mine", "new"), detail::Replaced::already_current);
  EXPECT_THROW(detail::replace_file_text(f, "mine", "other"), std::runtime_error);
  EXPECT_EQ(TempDir::read(f), "new");
}

TEST(CliFiles, ConcurrentUpdatesLeaveOneWholeFileAndSayWhatLanded) {
  TempDir dir;
  std::string text = "txaio-scenario 1\n", want = text;
  for (int i = 0; i < 20000; ++i) text += "at 0 call_later c" + std::to_string(i) + " " + std::to_string(i + 1) + "\n";
  want = text;
  for (int i = 0; i < 20000; ++i) {
    text += "expect " + std::to_string(i + 2) + " fire c" + std::to_string(i) + "\n";
    want += "expect " + std::to_string(i + 1) + " fire c" + std::to_string(i) + "\n";
  }
  // Twelve writers and four readers at once, each output in its own file; a few rounds, as
  // the interleaving differs from run to run.
  const auto f = dir.path() / "f.txs";
  for (int round = 0; round < 4 && !HasFailure(); ++round) {
    dir.write("f.txs", text);
    std::string script;
    for (int i = 0; i < 16; ++i) {
      const std::string out = q(dir.path() / ("out" + std::to_string(i)));
      script += "(" + shell_quote(TXAIO_REPLAY_EXE) + (i % 4 == 3 ? " " : " --update ") + q(f) + " > " + out +
                " 2>&1; echo $? >> " + out + ") &\n";
    }
    run_command("timeout 120 sh -c " + shell_quote(script + "wait\n"));
    EXPECT_EQ(TempDir::read(f), want);
    std::size_t wrote = 0;  // the others found it written, or read it fixed
    for (int i = 0; i < 16; ++i) {
      const std::string out = TempDir::read(dir.path() / ("out" + std::to_string(i)));
      if (i % 4 == 3) {
        // A reader sees the old file or the new one, whole: it fails or passes, never a parse error.
        EXPECT_TRUE(has(out, "FAIL  ") || has(out, "PASS  ")) << out;
      } else {
        // A writer that started after the file was fixed finds it passing.
        EXPECT_TRUE(has(out, "UPDATED  " + f.string()) || has(out, "PASS  " + f.string())) << out;
        EXPECT_TRUE(out.ends_with("\n0\n")) << out;
        wrote += has(out, "UPDATED  " + f.string() + "  (20000 expect lines)\n") ? 1 : 0;
      }
    }
    EXPECT_EQ(wrote, 1u) << "writers that say they wrote the file";
  }
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) files += e.path().filename().string().starts_with(".f.txs") ? 1 : 0;
  EXPECT_EQ(files, 0u) << "temporary files left behind";
}

}  // namespace

namespace {

// Under Bazel, XML_OUTPUT_FILE names the test's JUnit report: written without --junit, with
// the same checks (it may not be an input), and --junit wins over it.
TEST(CliFiles, BazelsXmlOutputFileGetsTheJUnitReport) {
  TempDir dir;
  const auto scenario = dir.write("a.txs", good);
  const auto xml = dir.path() / "test.xml";
  CommandResult r = run_command("XML_OUTPUT_FILE=" + q(xml) + " timeout 60 " + shell_quote(TXAIO_REPLAY_EXE) + " " + q(scenario));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(xml);
  const std::string report((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(has(report, "<testsuites")) << report;
  EXPECT_TRUE(has(report, "name=\"a.txs\"")) << report;

  r = run_command("XML_OUTPUT_FILE=" + q(scenario) + " timeout 60 " + shell_quote(TXAIO_REPLAY_EXE) + " " + q(scenario));
  EXPECT_EQ(r.exit_code, exit_usage) << r.output;  // never overwrites an input
  std::ifstream again(scenario);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>()), good);

  const auto other = dir.path() / "other.xml";
  fs::remove(xml);
  r = run_command("XML_OUTPUT_FILE=" + q(xml) + " timeout 60 " + shell_quote(TXAIO_REPLAY_EXE) + " --junit " + q(other) + " " +
                  q(scenario));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::exists(other));
  EXPECT_FALSE(fs::exists(xml));
}

}  // namespace
