// Hostile-input fixtures: damaged profiles, configs, experiments and datasets, special files
// (a directory, a FIFO, an oversized file), written once per test process under
// VITPERF_TEST_TMP/hostile. Writes go through a rename so that parallel test processes never
// see a half-written fixture.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace vitperf::hostile {

inline std::string Dir() { return std::string(VITPERF_TEST_TMP) + "/hostile"; }
inline std::string Src(const std::string& relative) {
  return std::string(VITPERF_SOURCE_DIR) + "/" + relative;
}
inline std::string Path(const std::string& name) { return Dir() + "/" + name; }

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void WriteAtomically(const std::string& name, const std::string& content) {
  const std::string tmp = Path(name) + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary);
    out << content;
  }
  std::rename(tmp.c_str(), Path(name).c_str());
}

// The shipped H200 quick_test dataset, the run of it (2026-11-24 02:45) and the profile the
// dataset cases start from.
inline const char* kDataset = "data/measurements/h200/quick_test.jsonl";
inline const char* kDatasetRun = "h200-2026-11-24-0245";
inline const char* kProfile = "data/hardware/h200.json";

inline std::vector<std::string> DatasetLines() {
  std::vector<std::string> lines;
  std::stringstream s(Slurp(Src(kDataset)));
  const std::string run = std::string("\"run_id\":\"") + kDatasetRun + "\"";
  for (std::string line; std::getline(s, line);)
    if (line.find(run) != std::string::npos) lines.push_back(line);
  return lines;
}

// That run's lines as one text, each ending in a newline.
inline std::string DatasetText() {
  std::string text;
  for (const auto& line : DatasetLines()) text += line + "\n";
  return text;
}

// The dataset with its first ok pipeline record changed by `edit` and appended as a new line
// (the original stays, so the rest of the data remain usable).
inline std::string DatasetWithRecord(const std::function<void(nlohmann::json&)>& edit) {
  std::string out;
  nlohmann::json record;
  for (const auto& line : DatasetLines()) {
    out += line + "\n";
    auto j = nlohmann::json::parse(line);
    if (record.is_null() && j["kind"] == "pipeline" && j["status"] == "ok") record = j;
  }
  edit(record);
  return out + record.dump() + "\n";
}

inline std::string ProfileWith(const std::function<void(nlohmann::json&)>& edit) {
  auto j = nlohmann::json::parse(Slurp(Src(kProfile)));
  edit(j);
  return j.dump(2);
}

// Every fixture by file name: written once per process.
inline void WriteFixtures() {
  static const bool written = [] {
    ::mkdir(Dir().c_str(), 0755);
    ::mkdir(Path("a_directory").c_str(), 0755);
    ::mkfifo(Path("a_fifo").c_str(), 0644);
    ::mkdir(Path("report_out").c_str(), 0755);
    // A sparse file over every size cap; nothing reads it, the size alone is refused.
    {
      const std::string tmp = Path("huge.json.tmp" + std::to_string(getpid()));
      std::ofstream(tmp).close();
      if (::truncate(tmp.c_str(), (std::int64_t{600} << 20)) != 0) std::abort();
      std::rename(tmp.c_str(), Path("huge.json").c_str());
    }
    std::map<std::string, std::string> files;
    std::string garbage;
    for (int i = 0; i < 4096; ++i) {
      const char c = static_cast<char>((i * 7919 + 13) % 251 + 1);
      garbage += c == '\n' || c == '\r' ? 'x' : c;  // lines are made below
    }
    files["garbage.bin"] = garbage;
    std::string garbage_lines;
    for (int i = 0; i < 17; ++i) garbage_lines += garbage.substr(i * 240, 200) + "\n";
    files["garbage_lines.jsonl"] = garbage_lines;
    files["empty.json"] = "";
    files["dup_key.json"] = R"({"a": 1, "a": 2})";
    files["deep.json"] = std::string(100000, '[') + std::string(100000, ']');
    files["not_object.json"] = "[1, 2, 3]";

    // Profiles.
    auto profile = [&](const std::string& name, const std::function<void(nlohmann::json&)>& e) {
      files[name] = ProfileWith(e);
    };
    profile("p_sm_bool.json", [](auto& j) { j["multiprocessors"] = true; });
    profile("p_sm_frac.json", [](auto& j) { j["multiprocessors"] = 40.5; });
    profile("p_sm_string.json", [](auto& j) { j["multiprocessors"] = "132"; });
    profile("p_sm_zero.json", [](auto& j) { j["multiprocessors"] = 0; });
    profile("p_sm_huge.json", [](auto& j) { j["multiprocessors"] = 1e12; });
    profile("p_version_frac.json", [](auto& j) { j["schema_version"] = 1.5; });
    profile("p_version_2.json", [](auto& j) { j["schema_version"] = 2; });
    profile("p_version_0.json", [](auto& j) { j["schema_version"] = 0; });
    profile("p_schema.json", [](auto& j) { j["schema"] = "vitperf.hardwar"; });
    profile("p_reserved_neg.json", [](auto& j) { j["memory_reserved_gib"] = -4; });
    profile("p_workspace_neg.json", [](auto& j) { j["workspace_mib"] = -32; });
    profile("p_l2_neg.json", [](auto& j) { j["l2_mib"] = -1; });
    profile("p_memory_zero.json", [](auto& j) { j["memory_gib"] = 0; });
    profile("p_memory_huge.json", [](auto& j) { j["memory_gib"] = 1e308; });
    profile("p_memory_neg.json", [](auto& j) { j["memory_gib"] = -80; });
    profile("p_memory_bool.json", [](auto& j) { j["memory_gib"] = false; });
    profile("p_bandwidth_zero.json", [](auto& j) { j["memory_bandwidth_gbs"] = 0; });
    profile("p_bandwidth_string.json", [](auto& j) { j["memory_bandwidth_gbs"] = "fast"; });
    // A datasheet carries no calibration: that lives in data/calibration/ (model/calibration.h).
    profile("p_calibrated_bare.json", [](auto& j) { j["calibrated"] = true; });
    profile("p_coef_unknown.json", [](auto& j) { j["coefficients"]["matmul_eficiency"] = 0.5; });
    profile("p_coef_range.json", [](auto& j) { j["coefficients"]["matmul_efficiency"] = 7; });
    profile("p_coef_bool.json", [](auto& j) { j["coefficients"]["matmul_efficiency"] = true; });
    profile("p_tflops_missing.json", [](auto& j) { j["matrix_tflops"].erase("bf16"); });
    profile("p_tflops_neg.json", [](auto& j) { j["matrix_tflops"]["bf16"] = -1; });
    profile("p_tile_frac.json", [](auto& j) { j["matmul_tile"] = {128.5, 128}; });
    profile("p_link_zero.json", [](auto& j) { j["host_link"]["h2d_gbs"] = 0; });
    profile("p_copy_engines.json", [](auto& j) { j["host_link"]["copy_engines"] = 0; });
    profile("p_unknown_key.json", [](auto& j) { j["memory_gb"] = 80; });
    profile("p_price_neg.json", [](auto& j) { j["price_per_hour_usd"] = -2; });
    profile("p_name_empty.json", [](auto& j) { j["name"] = ""; });
    profile("p_kind.json", [](auto& j) { j["kind"] = "tpu"; });
    {
      std::string text = Slurp(Src(kProfile));
      files["p_dup_key.json"] =
          text.substr(0, text.rfind('}')) + ", \"memory_gib\": 1e3\n}";  // a second memory_gib
      files["p_truncated.json"] = text.substr(0, text.size() / 2);
      // A number beyond a double: nlohmann throws out_of_range, not parse_error (fuzz finding).
      files["p_overflow.json"] = text.substr(0, text.rfind('}')) + ", \"overflowing\": 1e400\n}";
    }

    // Configs.
    const nlohmann::json config = {{"name", "c"}, {"image_height", 224}, {"image_width", 224},
                                   {"patch", 16}, {"dim", 768},          {"depth", 12},
                                   {"heads", 12}, {"mlp_ratio", 4.0}};
    auto cfg = [&](const std::string& name, const std::function<void(nlohmann::json&)>& e) {
      nlohmann::json j = config;
      e(j);
      files[name] = j.dump();
    };
    cfg("c_ok.json", [](auto&) {});
    cfg("c_dim_frac.json", [](auto& j) { j["dim"] = 768.5; });
    cfg("c_depth_bool.json", [](auto& j) { j["depth"] = true; });
    cfg("c_depth_string.json", [](auto& j) { j["depth"] = "12"; });
    cfg("c_patch_zero.json", [](auto& j) { j["patch"] = 0; });
    cfg("c_unknown_key.json", [](auto& j) { j["widht"] = 768; });
    files["c_dup_key.json"] = R"({"name": "c", "dim": 768, "dim": 384})";

    // Experiments.
    const std::string quick = Slurp(Src("data/experiments/quick_test.json"));
    files["e_truncated.json"] = quick.substr(0, quick.size() / 2);
    files["e_dup_key.json"] = R"({"schema": "vitperf.experiment", "schema_version": 1,
      "name": "x", "name": "y", "probes": [{"probe": "launch"}]})";
    files["e_warmup_frac.json"] = R"({"schema": "vitperf.experiment", "schema_version": 1,
      "name": "x", "timing": {"warmup": 2.5}, "probes": [{"probe": "launch"}]})";
    files["e_empty.json"] = R"({"schema": "vitperf.experiment", "schema_version": 1,
      "name": "x"})";
    files["e_version.json"] = R"({"schema": "vitperf.experiment", "schema_version": 9,
      "name": "x", "probes": [{"probe": "launch"}]})";
    {
      // 100 x 100 x 100 x 11 points: refused by the size cap before anything is built.
      std::string values;
      for (int i = 1; i <= 100; ++i) values += (i > 1 ? ", " : "") + std::to_string(i);
      files["e_huge.json"] =
          R"({"schema": "vitperf.experiment", "schema_version": 1, "name": "huge", "sweeps": [
        {"name": "s", "axes": {"depth": [)" +
          values + R"(], "classes": [)" + values + R"(], "queue_depth": [)" + values +
          R"(], "batch": "pow2:1024"}}]})";
    }

    // Datasets: one damaged record beside the good data.
    auto data = [&](const std::string& name, const std::function<void(nlohmann::json&)>& e) {
      files[name] = DatasetWithRecord(e);
    };
    data("d_empty_id.jsonl", [](auto& j) { j["id"] = ""; });
    data("d_tiny_throughput.jsonl", [](auto& j) {
      j["id"] = "x1";
      j["throughput_ips"] = 1e-300;
    });
    data("d_huge_latency.jsonl", [](auto& j) {
      j["id"] = "x2";
      j["latency"]["median_ms"] = 1e308;
    });
    data("d_batch_frac.jsonl", [](auto& j) {
      j["id"] = "x3";
      j["batch"] = 64.5;
    });
    data("d_batch_bool.jsonl", [](auto& j) {
      j["id"] = "x4";
      j["batch"] = true;
    });
    data("d_batch_zero.jsonl", [](auto& j) {
      j["id"] = "x5";
      j["batch"] = 0;
    });
    data("d_throughput_neg.jsonl", [](auto& j) {
      j["id"] = "x6";
      j["throughput_ips"] = -5;
    });
    data("d_throughput_zero.jsonl", [](auto& j) {
      j["id"] = "x7";
      j["throughput_ips"] = 0;
    });
    data("d_throughput_string.jsonl", [](auto& j) {
      j["id"] = "x8";
      j["throughput_ips"] = "fast";
    });
    data("d_stage_neg.jsonl", [](auto& j) {
      j["id"] = "x9";
      j["stage_ms"]["compute"] = -1;
    });
    data("d_peak_huge.jsonl", [](auto& j) {
      j["id"] = "x10";
      j["peak_memory_bytes"] = 1e300;
    });
    data("d_id_two_points.jsonl",
         [](auto& j) { j["batch"] = j["batch"].template get<int>() + 1000; });
    data("d_device.jsonl", [](auto& j) {
      j["id"] = "x11";
      j["device"] = "tpu:0";
    });
    data("d_kind.jsonl", [](auto& j) { j["kind"] = "pipelin"; });
    data("d_status.jsonl", [](auto& j) {
      j["id"] = "x12";
      j["status"] = "fine";
    });
    data("d_config_frac.jsonl", [](auto& j) {
      j["id"] = "x13";
      j["config"]["dim"] = 768.5;
    });
    data("d_schema.jsonl", [](auto& j) { j["schema"] = "vitperf.measuremen"; });
    data("d_version.jsonl", [](auto& j) { j["schema_version"] = 2; });
    data("d_version_frac.jsonl", [](auto& j) { j["schema_version"] = 1.5; });
    {
      std::string all = DatasetText();
      files["d_garbage_tail.jsonl"] = all + garbage_lines;
      files["d_not_object.jsonl"] = all + "[1, 2]\n17\n";
      files["d_dup_key.jsonl"] = all + R"({"kind": "pipeline", "kind": "probe"})" + "\n";
      files["d_overflow.jsonl"] = all + R"({"schema": "vitperf.measurement", "x": 1e400})" + "\n";
      files["d_torn.jsonl"] = all + all.substr(0, 200);
      files["d_only_garbage.jsonl"] = garbage_lines;
      // A whole last record without its newline: --resume must keep it.
      files["d_no_newline.jsonl"] = all.substr(0, all.size() - 1);
      files["d_copy.jsonl"] = all;
      // A probe whose parameter has the wrong type: rejected, not thrown deep in a reader.
      for (const auto& line : DatasetLines()) {
        auto j = nlohmann::json::parse(line);
        if (j["kind"] != "probe") continue;
        j["id"] = "x14";
        j["params"]["execution"] = 5;
        files["d_probe_params.jsonl"] = all + j.dump() + "\n";
        break;
      }
    }
    for (const auto& [name, content] : files) WriteAtomically(name, content);
    return true;
  }();
  (void)written;
}

}  // namespace vitperf::hostile
