#include "model/run_host_state.h"

#include <map>
#include <string>

#include "model/median.h"
#include "model/repeated_points.h"

namespace vitperf {

int UseRunMedianHostLaunch(std::vector<PipelineRecord>* records) {
  std::map<std::string, std::vector<double>> launch_us_by_run;
  for (const PipelineRecord& r : *records)
    if (r.status == PointStatus::ok && r.host_launch_us > 0)
      launch_us_by_run[RunKey(r)].push_back(r.host_launch_us);
  std::map<std::string, double> run_median_us;
  for (const auto& [run, values] : launch_us_by_run) run_median_us[run] = Median(values);
  for (PipelineRecord& r : *records) {
    if (!(r.host_launch_us > 0)) continue;
    const auto it = run_median_us.find(RunKey(r));
    // A run whose only measured records failed has no median: the record keeps its own.
    if (it != run_median_us.end()) r.host_launch_us = it->second;
  }
  return static_cast<int>(run_median_us.size());
}

}  // namespace vitperf
