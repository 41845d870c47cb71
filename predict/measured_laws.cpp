#include "predict/measured_laws.h"

#include <cmath>
#include <map>
#include <set>

#include "model/evaluate.h"
#include "predict/batch_sweep.h"
#include "predict/scaling_laws.h"

namespace vitperf {
namespace {

std::string Key(const nlohmann::json& j) { return j.dump(); }

// The config with the named resolution removed, so records differing only there group together.
nlohmann::json ConfigWithout(const ViTConfig& c, bool drop_resolution) {
  nlohmann::json j = c;
  if (drop_resolution) {
    j.erase("image_height");
    j.erase("image_width");
  }
  j.erase("name");  // the same architecture under two names is the same architecture
  return j;
}

double MeasuredComputeMs(const PipelineRecord& r) {
  return r.compute.median_ms > 0 ? r.compute.median_ms : r.compute_ms;
}

std::string GroupLabel(const PipelineRecord& r, bool with_batch) {
  std::string s = r.config.name + " " + ToString(r.config.precision) + " " +
                  ToString(r.config.attention) + " " + ToString(r.options.execution);
  if (with_batch) s += " batch " + std::to_string(r.batch);
  if (r.options.compute_only) s += " compute-only";
  return s;
}

void Finish(MeasuredLaw* law, double tolerance, std::vector<MeasuredLaw>* out) {
  std::vector<double> x, predicted, measured;
  for (const LawPoint& p : law->points) {
    x.push_back(p.x);
    predicted.push_back(p.predicted);
    measured.push_back(p.measured);
  }
  const auto fp = FitPowerLaw(x, predicted);
  const auto fm = FitPowerLaw(x, measured);
  if (!fp || !fm) return;  // fewer than two distinct x: the data does not support the law
  law->predicted = *fp;
  law->measured = *fm;
  law->difference = fm->exponent - fp->exponent;
  law->within_tolerance = std::fabs(law->difference) <= tolerance;
  out->push_back(*law);
}

}  // namespace

std::vector<MeasuredLaw> FitMeasuredLaws(const MeasurementSet& data, const HardwareProfile& profile,
                                         double tolerance) {
  std::vector<MeasuredLaw> out;

  // Time and memory vs resolution: hold architecture, batch and pipeline fixed.
  std::map<std::string, std::vector<const PipelineRecord*>> by_resolution;
  for (const PipelineRecord& r : data.pipeline)
    if (r.status == PointStatus::ok && r.config.image_height == r.config.image_width)
      by_resolution[Key({ConfigWithout(r.config, true), r.batch, r.options})].push_back(&r);
  for (const auto& [key, records] : by_resolution) {
    MeasuredLaw time{"compute time vs resolution",
                     GroupLabel(*records.front(), true),
                     "pixels",
                     "ms",
                     {},
                     {},
                     {},
                     0,
                     true};
    MeasuredLaw memory{
        "peak memory vs resolution", time.group, "pixels", "bytes", {}, {}, {}, 0, true};
    for (const PipelineRecord* r : records) {
      const Prediction p = Evaluate(r->config, r->batch, r->options, profile);
      const double x = r->config.image_height;
      if (MeasuredComputeMs(*r) > 0)
        time.points.push_back({x, p.compute_s * 1e3, MeasuredComputeMs(*r)});
      if (r->peak_memory_bytes > 0)
        memory.points.push_back({x, p.memory.TotalBytes(), r->peak_memory_bytes});
    }
    Finish(&time, tolerance, &out);
    Finish(&memory, tolerance, &out);
  }

  // Optimal batch vs complexity: per (config, pipeline) the project's batch rule applied to the
  // measured rows and to the predicted rows at the same batches; then across configs.
  struct Rows {
    std::vector<Prediction> measured, predicted;
    const PipelineRecord* first = nullptr;
  };
  std::map<std::string, std::map<std::string, Rows>> by_pipeline;  // pipeline -> config -> rows
  for (const PipelineRecord& r : data.pipeline) {
    if (r.status != PointStatus::ok && r.status != PointStatus::oom) continue;
    Rows& rows = by_pipeline[Key(nlohmann::json(r.options))][Key(ConfigWithout(r.config, false))];
    if (!rows.first) rows.first = &r;
    Prediction m;
    m.batch = r.batch;
    m.fits = r.status == PointStatus::ok;
    m.throughput_ips = r.throughput_ips;
    m.latency_p90_s = r.latency.p90_ms * 1e-3;
    rows.measured.push_back(m);
    rows.predicted.push_back(Evaluate(r.config, r.batch, r.options, profile));
  }
  const SweepConstraints unconstrained;
  for (const auto& [pipeline, configs] : by_pipeline) {
    MeasuredLaw law{
        "optimal batch vs GFLOPs/image", "", "GFLOP/image", "images", {}, {}, {}, 0, true};
    for (const auto& [config, rows] : configs) {
      std::set<int> batches;
      for (const auto& m : rows.measured) batches.insert(m.batch);
      if (batches.size() < 3) continue;  // the rule needs a curve, not two points
      const auto pm = RecommendBatch(rows.measured, unconstrained, nullptr);
      const auto pp = RecommendBatch(rows.predicted, unconstrained, nullptr);
      if (!pm || !pp) continue;
      const double gflops =
          Evaluate(rows.first->config, 1, rows.first->options, profile).flops * 1e-9;
      law.points.push_back({gflops, static_cast<double>(rows.predicted[*pp].batch),
                            static_cast<double>(rows.measured[*pm].batch)});
      law.group =
          ToString(rows.first->config.precision) + " " + ToString(rows.first->options.execution) +
          " " + ToString(rows.first->options.input) + " " + ToString(rows.first->options.pipeline);
    }
    Finish(&law, tolerance, &out);
  }
  return out;
}

void to_json(nlohmann::json& j, const MeasuredLaw& law) {
  nlohmann::json points = nlohmann::json::array();
  for (const LawPoint& p : law.points)
    points.push_back({{"x", p.x}, {"predicted", p.predicted}, {"measured", p.measured}});
  j = nlohmann::json{{"law", law.law},
                     {"group", law.group},
                     {"x_unit", law.x_unit},
                     {"y_unit", law.y_unit},
                     {"predicted", law.predicted},
                     {"measured", law.measured},
                     {"exponent_difference", law.difference},
                     {"within_tolerance", law.within_tolerance},
                     {"points", points}};
}

}  // namespace vitperf
