// The checked reading and writing every command goes through (issue 25): only regular files
// under a size cap are read; a failed write throws instead of passing for success.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "model/input_file.h"
#include "model/output_file.h"
#include "model/strict_json.h"

namespace vitperf {
namespace {

std::string ErrorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

std::string Tmp(const std::string& name) {
  return std::string(VITPERF_TEST_TMP) + "/files_" + std::to_string(getpid()) + "_" + name;
}

TEST(InputFile, ReadsARegularFileAndRefusesEverythingElse) {
  const std::string ok = Tmp("ok.txt");
  std::ofstream(ok) << "hello";
  EXPECT_EQ(ReadInputFile(ok, "f", 100), "hello");
  EXPECT_EQ(ErrorOf([&] { ReadInputFile(ok, "f", 4); }),
            "f: '" + ok + "': larger than the 0 MiB accepted for this input");
  EXPECT_EQ(ErrorOf([&] { ReadInputFile(Tmp("absent"), "config", 100); }),
            "config: no such file '" + Tmp("absent") + "'");
  EXPECT_EQ(ErrorOf([&] { ReadInputFile(VITPERF_TEST_TMP, "gpu", 100); }),
            "gpu: '" + std::string(VITPERF_TEST_TMP) + "' is a directory, not a file");
  EXPECT_NE(ErrorOf([&] {
              ReadInputFile("/dev/zero", "data", 100);
            }).find("data: '/dev/zero' is not a regular file"),
            std::string::npos);
  const std::string fifo = Tmp("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Opening a FIFO without a writer must not wait.
  EXPECT_NE(ErrorOf([&] { ReadInputFile(fifo, "data", 100); }).find("is not a regular file"),
            std::string::npos);
  ::unlink(fifo.c_str());
  EXPECT_EQ(ErrorOf([&] { ReadInputFile("", "data", 100); }), "data: empty file name");
}

TEST(OutputFile, AFailedWriteThrows) {
  EXPECT_NE(ErrorOf([] {
              WriteOutputFile("/dev/full", "x", "output");
            }).find("output: writing '/dev/full' failed (No space left on device)"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] {
              WriteOutputFile(VITPERF_TEST_TMP, "x", "output");
            }).find("output: cannot write '"),
            std::string::npos);
  const std::string ok = Tmp("written.txt");
  WriteOutputFile(ok, "content", "output");
  std::ifstream in(ok);
  std::string back;
  std::getline(in, back);
  EXPECT_EQ(back, "content");
}

TEST(StrictJson, RefusesDuplicateKeysDeepNestingAndCoercions) {
  EXPECT_EQ(ErrorOf([] { ParseStrictJson(R"({"a": {"b": 1, "b": 2}})", "x"); }),
            "x: duplicate key 'b'");
  // The same key in two objects is fine.
  EXPECT_EQ(ParseStrictJson(R"({"a": {"b": 1}, "c": {"b": 2}})", "x")["c"]["b"], 2);
  EXPECT_EQ(ErrorOf([] { ParseStrictJson(std::string(65, '[') + std::string(65, ']'), "x"); }),
            "x: nested deeper than 64 levels");
  EXPECT_NE(ErrorOf([] { ParseStrictJson("{\"a\": ", "x"); }).find("x: malformed JSON: parse"),
            std::string::npos);
  EXPECT_EQ(StrictGet<int>(nlohmann::json(132.0)), 132);
  EXPECT_EQ(ErrorOf([] { StrictGet<int>(nlohmann::json(40.5)); }), "expected an integer, got 40.5");
  EXPECT_EQ(ErrorOf([] { StrictGet<int>(nlohmann::json(true)); }),
            "expected an integer, got boolean");
  EXPECT_NE(ErrorOf([] { StrictGet<int>(nlohmann::json(4294967296LL)); }).find("is outside"),
            std::string::npos);
  EXPECT_EQ(ErrorOf([] { StrictGet<double>(nlohmann::json("1")); }),
            "expected a number, got string");
  EXPECT_EQ(ErrorOf([] { StrictGet<bool>(nlohmann::json(1)); }), "expected true or false");
}

}  // namespace
}  // namespace vitperf
