// `vitperf report`: one folder with report.md, the plots (PNG and SVG, drawn by gnuplot) and
// the data and scripts behind every plot, for a hardware profile and optional measurements.
#pragma once

#include <string>
#include <vector>

#include "model/measurement_record.h"
#include "predict/gnuplot.h"
#include "predict/regime_map.h"
#include "predict/scaling_laws.h"

namespace vitperf {

struct ReportOptions {
  std::string out_dir;
  std::string model = "vit_b16";  // the model whose operators go on the roofline
  PipelineOptions pipeline;
  // Models whose throughput-vs-batch curves are drawn.
  std::vector<std::string> curve_models{"vit_ti16", "vit_s16", "vit_b16", "vit_l16", "vit_h14"};
  double error_band = 0.2;  // +/- relative band drawn around predicted = measured
  double law_tolerance = 0.25;
  LawsOptions laws;
  std::vector<std::string> data_paths;  // named in the report
  std::string invocation;               // the command line, named in the report
};

struct ReportResult {
  std::string report_path;
  std::vector<std::string> images;      // PNG and SVG actually rendered
  std::vector<std::string> plot_stems;  // every plot whose data and script were written
  bool rendered = false;                // gnuplot ran for every plot
  std::vector<std::string> messages;    // for the user: why something is missing
};

// Throws std::runtime_error when the folder cannot be created or written.
ReportResult WriteReport(const HardwareProfile& profile, const MeasurementSet& data,
                         const ReportOptions& options);

// Writes <dir>/<stem>.dat for a regime map and returns the heat-map plot of it.
PlotSpec RegimeMapPlot(const RegimeMap& map, const std::string& dir, const std::string& stem,
                       const std::string& title);

}  // namespace vitperf
