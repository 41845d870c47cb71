#include "predict/report.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "model/build_info.h"
#include "model/evaluate.h"
#include "model/output_file.h"
#include "model/presets.h"
#include "model/roofline.h"
#include "predict/batch_sweep.h"
#include "predict/laws_tables.h"
#include "predict/measured_laws.h"
#include "predict/text_table.h"

namespace vitperf {
namespace {

// Opens <dir>/<name> for writing or throws naming the path; Close() checks every write.
OutputFile OpenFile(const std::string& dir, const std::string& name) {
  OutputFile out(dir + "/" + name, "report");
  out.precision(8);
  return out;
}

std::string Num(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}

// Palette of distinguishable colours, one per series.
const char* Colour(size_t i) {
  static const char* kColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                   "#9467bd", "#8c564b", "#e377c2", "#17becf"};
  return kColours[i % 8];
}

// The measured compute time of a record [s]: the pure forward pass when probed, else the stage.
double MeasuredComputeS(const PipelineRecord& r) {
  return (r.compute.median_ms > 0 ? r.compute.median_ms : r.compute_ms) * 1e-3;
}

struct Writer {
  const HardwareProfile& profile;
  const MeasurementSet& data;
  const ReportOptions& options;
  ReportResult& result;
  std::vector<PlotSpec> plots;

  void Add(const PlotSpec& spec) { plots.push_back(spec); }

  // Roofline: every operator of the chosen model at its recommended batch, and each measured
  // forward pass, placed by arithmetic intensity [FLOP/byte] and achieved rate [TFLOP/s].
  std::string Roofline(const ViTConfig& model) {
    const BatchSweep sweep = SweepBatches(model, options.pipeline, profile, {}, {});
    const int batch = sweep.recommended ? sweep.rows[*sweep.recommended].batch : 1;
    OperatorList ops;
    BuildOperators(model, batch, ForwardOptionsFor(options.pipeline, profile.architecture), &ops);
    const DeviceRates rates = RatesFor(profile, model.precision);
    const CoefficientView<double> c{profile.coefficients.v.data()};
    double lo = 1e9, hi = 0;
    struct Label {
      double ai, tflops;
      std::string text;
    };
    std::vector<Label> labels;
    {
      OutputFile out = OpenFile(options.out_dir, "roofline_ops.dat");
      out << "# operator  intensity[FLOP/byte]  achieved[TFLOP/s]  time[us]  bound\n";
      for (const Operator& op : ops) {
        if (op.flops <= 0 || op.bytes <= 0) continue;
        const OperatorTime<double> t = TimeOperator(op, rates, c);
        const double ai = op.flops / op.bytes;
        lo = std::min(lo, ai);
        hi = std::max(hi, ai);
        const double tflops = op.flops / t.time_s * 1e-12;
        out << ToString(op.kind) << " " << Num(ai) << " " << Num(tflops) << " "
            << Num(t.time_s * 1e6) << " " << (t.compute_bound ? "compute" : "memory") << "\n";
        // Operators at (nearly) the same point share one label, else the names overprint.
        bool merged = false;
        for (auto& l : labels)
          if (std::fabs(std::log(l.ai / ai)) < 0.15 &&
              std::fabs(std::log(l.tflops / tflops)) < 0.15) {
            l.text += "," + ToString(op.kind);
            merged = true;
            break;
          }
        if (!merged) labels.push_back({ai, tflops, ToString(op.kind)});
      }
      out.Close();
    }
    {
      OutputFile out = OpenFile(options.out_dir, "roofline_labels.dat");
      out << "# intensity[FLOP/byte]  achieved[TFLOP/s]  operators at that point\n";
      for (const auto& l : labels)
        out << Num(l.ai) << " " << Num(l.tflops) << " " << l.text << "\n";
      out.Close();
    }
    int measured = 0;
    {
      OutputFile out = OpenFile(options.out_dir, "roofline_measured.dat");
      out << "# label  intensity[FLOP/byte]  achieved[TFLOP/s]  (forward pass, counted FLOPs "
             "over measured compute time)\n";
      for (const PipelineRecord& r : data.pipeline) {
        if (r.status != PointStatus::ok || MeasuredComputeS(r) <= 0) continue;
        const Prediction p = Evaluate(r.config, r.batch, r.options, profile);
        out << r.config.name << "/b" << r.batch << " " << Num(p.arithmetic_intensity) << " "
            << Num(p.flops / MeasuredComputeS(r) * 1e-12) << "\n";
        lo = std::min(lo, p.arithmetic_intensity);
        hi = std::max(hi, p.arithmetic_intensity);
        ++measured;
      }
      out.Close();
    }
    const double peak = profile.MatrixTflops(model.precision);
    const double vector = profile.VectorTflops(model.precision);
    const double bw_tbs = profile.memory_bandwidth_gbs * 1e-3;
    const double ridge = peak / bw_tbs;
    lo = std::min(lo, ridge) / 4;
    hi = std::max(hi, ridge) * 4;
    PlotSpec s;
    s.stem = "roofline";
    s.title = "Roofline, " + profile.display_name + ", " + ToString(model.precision) + ": " +
              model.name + " operators at batch " + std::to_string(batch);
    s.x_label = "arithmetic intensity [FLOP/byte]";
    s.y_label = "achieved [TFLOP/s]";
    s.log_x = s.log_y = true;
    s.width_px = 1100;
    s.height_px = 700;
    s.settings = {"P = " + Num(peak),
                  "V = " + Num(vector),
                  "B = " + Num(bw_tbs),
                  "roof(x) = x*B < P ? x*B : P",
                  "vroof(x) = x*B < V ? x*B : V",
                  "set xrange [" + Num(lo) + ":" + Num(hi) + "]",
                  "set yrange [" + Num(std::max(1e-3, peak * 1e-4)) + ":" + Num(peak * 2) + "]",
                  "set samples 400",
                  "set key inside right bottom box opaque",
                  "set format x '%g'",
                  "set format y '%g'",
                  "set arrow from " + Num(ridge) + ", graph 0 to " + Num(ridge) +
                      ", graph 1 nohead dt 3 lc rgb '#888888'",
                  "set label 'ridge " + Num(std::round(ridge)) + " FLOP/B' at " + Num(ridge * 1.1) +
                      ", graph 0.05 tc rgb '#666666'"};
    s.plot = "plot roof(x) lw 2 lc rgb '#222222' title 'matrix roof (" + Num(peak) + " TFLOP/s, " +
             Num(profile.memory_bandwidth_gbs) +
             " GB/s)', vroof(x) lw 1.5 dt 2 lc rgb '#555555' title 'vector roof (" + Num(vector) +
             " TFLOP/s)', 'roofline_ops.dat' using 2:3 with points pt 7 ps 1.3 lc rgb '" +
             Colour(0) +
             "' title 'operators (predicted)', 'roofline_labels.dat' using 1:2:3 with labels left "
             "offset 0.7,0.4 font ',8' tc rgb '#333333' notitle";
    if (measured > 0)
      s.plot += ", 'roofline_measured.dat' using 2:3 with points pt 9 ps 1.2 lc rgb '" +
                std::string(Colour(3)) + "' title 'measured forward passes'";
    Add(s);
    return "batch " + std::to_string(batch);
  }

  // Throughput and per-image time against batch, predicted curves and measured points.
  void BatchCurves() {
    std::string throughput_plot = "plot ", time_plot = "plot ";
    size_t series = 0;
    for (const std::string& name : options.curve_models) {
      ViTConfig c = PresetByName(name);
      c.precision = options.laws.precision;
      const BatchSweep sweep = SweepBatches(c, options.pipeline, profile, {}, {});
      if (sweep.rows.empty()) continue;
      {
        OutputFile out = OpenFile(options.out_dir, "batch_" + name + ".dat");
        out << "# batch  throughput[img/s]  per_image[ms]  latency_p90[ms]  regime\n";
        for (const Prediction& p : sweep.rows)
          out << p.batch << " " << Num(p.throughput_ips) << " " << Num(1e3 / p.throughput_ips)
              << " " << Num(p.latency_p90_s * 1e3) << " " << ToString(p.regime) << "\n";
        out.Close();
      }
      const std::string colour = Colour(series);
      const std::string sep = series ? ", " : "";
      throughput_plot += sep + "'batch_" + name +
                         ".dat' using 1:2 with linespoints lw 2 pt 7 "
                         "ps 0.7 lc rgb '" +
                         colour + "' title '" + name + " predicted'";
      time_plot += sep + "'batch_" + name +
                   ".dat' using 1:3 with linespoints lw 2 pt 7 ps 0.7 "
                   "lc rgb '" +
                   colour + "' title '" + name + " predicted'";
      int measured = 0;
      {
        OutputFile out = OpenFile(options.out_dir, "measured_batch_" + name + ".dat");
        out << "# batch  throughput[img/s]  per_image[ms]  (measured " << name << ")\n";
        for (const PipelineRecord& r : data.pipeline)
          if (r.status == PointStatus::ok && r.config.name == name && r.throughput_ips > 0 &&
              r.config.image_height == c.image_height && r.config.precision == c.precision) {
            out << r.batch << " " << Num(r.throughput_ips) << " " << Num(1e3 / r.throughput_ips)
                << "\n";
            ++measured;
          }
        out.Close();
      }
      if (measured > 0) {
        throughput_plot += ", 'measured_batch_" + name +
                           ".dat' using 1:2 with points pt 6 ps "
                           "1.4 lw 2 lc rgb '" +
                           colour + "' title '" + name + " measured'";
        time_plot += ", 'measured_batch_" + name +
                     ".dat' using 1:3 with points pt 6 ps 1.4 "
                     "lw 2 lc rgb '" +
                     colour + "' title '" + name + " measured'";
      }
      ++series;
    }
    if (series == 0) return;
    const std::string pipeline =
        ToString(options.laws.precision) + ", " + ToString(options.pipeline.execution) + ", " +
        ToString(options.pipeline.input) + " input, " + ToString(options.pipeline.pipeline);
    PlotSpec t;
    t.stem = "throughput_vs_batch";
    t.title = "Throughput vs batch, " + profile.display_name + " (" + pipeline + ")";
    t.x_label = "batch size [images]";
    t.y_label = "throughput [images/s]";
    t.log_x = t.log_y = true;
    t.settings = {"set logscale x 2", "set format y '%g'"};
    t.plot = throughput_plot;
    Add(t);
    PlotSpec p = t;
    p.stem = "time_per_image_vs_batch";
    p.title = "Time per image vs batch, " + profile.display_name + " (" + pipeline + ")";
    p.y_label = "time per image [ms]";
    p.plot = time_plot;
    Add(p);
  }

  // Predicted vs measured throughput with the +/- error band; returns a Markdown summary.
  std::string PredictedVsMeasured() {
    std::vector<double> errors;
    double lo = 1e300, hi = 0;
    {
      OutputFile out = OpenFile(options.out_dir, "predicted_vs_measured.dat");
      out << "# measured[img/s]  predicted[img/s]  relative_error  label\n";
      for (const PipelineRecord& r : data.pipeline) {
        if (r.status != PointStatus::ok || r.throughput_ips <= 0) continue;
        const Prediction p = Evaluate(r.config, r.batch, r.options, profile);
        const double error = (p.throughput_ips - r.throughput_ips) / r.throughput_ips;
        errors.push_back(std::fabs(error));
        lo = std::min({lo, r.throughput_ips, p.throughput_ips});
        hi = std::max({hi, r.throughput_ips, p.throughput_ips});
        out << Num(r.throughput_ips) << " " << Num(p.throughput_ips) << " " << Num(error) << " "
            << r.config.name << "/b" << r.batch << "\n";
      }
      out.Close();
    }
    if (errors.empty()) return "";
    std::sort(errors.begin(), errors.end());
    double mean = 0;
    for (double e : errors) mean += e;
    mean /= errors.size();
    const double within = std::count_if(errors.begin(), errors.end(),
                                        [&](double e) { return e <= options.error_band; }) /
                          static_cast<double>(errors.size());
    const double band = options.error_band;
    PlotSpec s;
    s.stem = "predicted_vs_measured";
    s.title = "Predicted vs measured throughput, " + profile.display_name + " (" +
              std::to_string(errors.size()) + " points, MAPE " + Fixed(mean * 100, 1) + "%)";
    s.x_label = "measured throughput [images/s]";
    s.y_label = "predicted throughput [images/s]";
    s.log_x = s.log_y = true;
    s.width_px = 900;
    s.height_px = 700;
    s.settings = {"set xrange [" + Num(lo / 1.5) + ":" + Num(hi * 1.5) + "]",
                  "set yrange [" + Num(lo / 1.5) + ":" + Num(hi * 1.5) + "]",
                  "set format x '%g'",
                  "set format y '%g'",
                  "set key inside left top box opaque",
                  "set style fill transparent solid 0.15 noborder"};
    s.plot = "plot '+' using 1:($1*" + Num(1 - band) + "):($1*" + Num(1 + band) +
             ") with filledcurves lc rgb '#2ca02c' title '+/-" + Fixed(band * 100, 0) +
             "% band', x lw 1.5 lc rgb '#222222' title 'predicted = measured', "
             "'predicted_vs_measured.dat' using 1:2 with points pt 7 ps 1 lc rgb '" +
             std::string(Colour(0)) + "' title 'pipeline points'";
    Add(s);
    std::ostringstream md;
    md << "- " << errors.size() << " measured pipeline points; mean absolute percentage error "
       << Fixed(mean * 100, 1) << "%, median " << Fixed(errors[errors.size() / 2] * 100, 1)
       << "%, worst " << Fixed(errors.back() * 100, 1) << "%; " << Fixed(within * 100, 0)
       << "% within +/-" << Fixed(band * 100, 0) << "%\n";
    return md.str();
  }

  void LawPlots(const ScalingLaws& laws) {
    // Optimal batch vs complexity, one colour per patch size, with the fitted power law.
    std::string plot = "plot ";
    for (size_t i = 0; i < options.laws.patches.size(); ++i) {
      const int patch = options.laws.patches[i];
      const std::string file = "law_batch_p" + std::to_string(patch) + ".dat";
      OutputFile out = OpenFile(options.out_dir, file);
      out << "# GFLOP/image  optimal_batch  model\n";
      for (const GridPoint& g : laws.grid)
        if (g.config.patch == patch && g.optimal_batch > 0)
          out << Num(g.gflops_per_image) << " " << g.optimal_batch << " " << g.config.name << "\n";
      out.Close();
      plot += std::string(i ? ", " : "") + "'" + file +
              "' using 1:2 with points pt 7 ps 1.3 lc "
              "rgb '" +
              Colour(i) + "' title 'patch " + std::to_string(patch) + "'";
    }
    PlotSpec s;
    s.stem = "law_optimal_batch";
    s.title = "RQ1: optimal batch vs model complexity, " + profile.display_name + ", " +
              ToString(options.laws.precision);
    s.x_label = "model complexity [GFLOP/image]";
    s.y_label = "optimal batch [images]";
    s.log_x = s.log_y = true;
    s.settings = {"set format x '%g'", "set format y '%g'"};
    if (laws.optimal_batch_vs_gflops) {
      const PowerLawFit& f = *laws.optimal_batch_vs_gflops;
      s.settings.push_back("fit_a = " + Num(f.coefficient));
      s.settings.push_back("fit_b = " + Num(f.exponent));
      plot += ", fit_a*x**fit_b lw 2 dt 2 lc rgb '#222222' title 'fit: " + Num(f.coefficient) +
              " x^" + Fixed(f.exponent, 2) + " (R^2 " + Fixed(f.r_squared, 2) + ")'";
    }
    s.plot = plot;
    Add(s);

    // Time and activation memory vs resolution per attention implementation.
    std::string time_plot = "plot ", memory_plot = "plot ";
    for (size_t i = 0; i < laws.resolution_laws.size(); ++i) {
      const ResolutionLaw& law = laws.resolution_laws[i];
      const std::string file = "law_resolution_" + ToString(law.attention) + ".dat";
      {
        OutputFile out = OpenFile(options.out_dir, file);
        out << "# resolution[px]  compute_batch1[ms]  activations_batch1[GiB]  fits\n";
        for (const ResolutionRow& r : law.rows)
          out << r.resolution << " " << Num(r.compute_ms_batch1) << " "
              << Num(r.activation_bytes_batch1 / (1 << 30)) << " " << (r.fits_batch1 ? 1 : 0)
              << "\n";
        out.Close();
      }
      const std::string sep = i ? ", " : "";
      const std::string colour = Colour(i * 3);
      const std::string name = ToString(law.attention);
      time_plot += sep + "'" + file + "' using 1:2 with linespoints lw 2 pt 7 lc rgb '" + colour +
                   "' title '" + name + " attention" +
                   (law.time_fit ? " (~res^" + Fixed(law.time_fit->exponent, 2) + ")" : "") + "'";
      memory_plot += sep + "'" + file + "' using 1:3 with linespoints lw 2 pt 7 lc rgb '" + colour +
                     "' title '" + name + " attention" +
                     (law.memory_fit ? " (~res^" + Fixed(law.memory_fit->exponent, 2) + ")" : "") +
                     "'";
    }
    PlotSpec t;
    t.stem = "law_time_vs_resolution";
    t.title = "RQ2: compute time vs resolution, " + options.laws.reference_model + " batch 1, " +
              profile.display_name;
    t.x_label = "input resolution [pixels per side]";
    t.y_label = "compute time per batch [ms]";
    t.log_x = t.log_y = true;
    t.settings = {"set logscale x 2", "set format y '%g'"};
    t.plot = time_plot;
    Add(t);
    PlotSpec m = t;
    m.stem = "law_memory_vs_resolution";
    m.title = "RQ2: activation memory vs resolution, " + options.laws.reference_model +
              " batch 1 (device " + Fixed(profile.memory_gib, 0) + " GiB)";
    m.y_label = "peak activations [GiB]";
    m.settings.push_back("set arrow from graph 0, first " + Num(profile.memory_gib) +
                         " to graph 1, first " + Num(profile.memory_gib) +
                         " nohead dt 2 lc rgb '#d62728'");
    m.plot = memory_plot;
    Add(m);
  }
};

void WriteRegimeData(const RegimeMap& map, const std::string& dir, const std::string& stem) {
  OutputFile out = OpenFile(dir, stem + ".dat");
  out << "# x_index  y_index  code  letter  x=" << ToString(map.x_axis)
      << " y=" << ToString(map.y_axis) << "\n";
  out << "# codes: 0 compute, 1 memory, 2 transfer, 3 overhead, 4 preprocess, 5 does not fit, "
         "6 invalid\n";
  for (size_t yi = 0; yi < map.ys.size(); ++yi) {
    for (size_t xi = 0; xi < map.xs.size(); ++xi) {
      const RegimeCell& c = map.cells[yi][xi];
      const int code = !c.valid ? 6 : (!c.fits ? 5 : static_cast<int>(c.regime));
      out << xi << " " << yi << " " << code << " " << c.Letter() << "\n";
    }
    out << "\n";  // gnuplot's `with image` reads rows separated by blank lines
  }
  out.Close();
}

}  // namespace

PlotSpec RegimeMapPlot(const RegimeMap& map, const std::string& dir, const std::string& stem,
                       const std::string& title) {
  WriteRegimeData(map, dir, stem);
  auto tics = [](const std::vector<int>& values) {
    std::string s = "(";
    for (size_t i = 0; i < values.size(); ++i)
      s +=
          (i ? ", " : "") + std::string("'") + std::to_string(values[i]) + "' " + std::to_string(i);
    return s + ")";
  };
  PlotSpec s;
  s.stem = stem;
  s.title = title;
  s.x_label = ToString(map.x_axis) + " [" + AxisUnit(map.x_axis) + "]";
  s.y_label = ToString(map.y_axis) + " [" + AxisUnit(map.y_axis) + "]";
  s.width_px = 1000;
  s.height_px = 620;
  s.settings = {
      "unset grid",
      "set xtics " + tics(map.xs),
      "set ytics " + tics(map.ys),
      "set xrange [-0.5:" + std::to_string(map.xs.size() - 0.5) + "]",
      "set yrange [-0.5:" + std::to_string(map.ys.size() - 0.5) + "]",
      "set cbrange [-0.5:6.5]",
      "set palette maxcolors 7",
      "set palette defined (0 '#d62728', 1 '#1f77b4', 2 '#ff7f0e', 3 '#9467bd', 4 '#8c564b', "
      "5 '#bbbbbb', 6 '#ffffff')",
      "set cbtics ('compute' 0, 'memory' 1, 'transfer' 2, 'overhead' 3, 'preprocess' 4, "
      "'does not fit' 5, 'invalid' 6)",
      "set cbtics scale 0",
      "set rmargin 16",
      "unset key"};
  s.plot = "plot '" + stem +
           ".dat' using 1:2:3 with image, '' using 1:2:4 with labels "
           "font ',11' tc rgb '#ffffff'";
  return s;
}

ReportResult WriteReport(const HardwareProfile& profile, const MeasurementSet& data,
                         const ReportOptions& options) {
  ReportResult result;
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec)
    throw std::runtime_error("report: cannot create " + options.out_dir + ": " + ec.message());
  Writer w{profile, data, options, result, {}};

  ViTConfig model = PresetByName(options.model);
  model.precision = options.laws.precision;
  const std::string roofline_batch = w.Roofline(model);
  w.BatchCurves();
  const std::string accuracy = data.pipeline.empty() ? "" : w.PredictedVsMeasured();
  const ScalingLaws laws = ComputeScalingLaws(profile, options.laws);
  w.LawPlots(laws);
  ViTConfig regime_model = model;
  const RegimeMap map = ComputeRegimeMap(regime_model, 1, options.pipeline, profile,
                                         RegimeAxis::batch, DefaultAxisValues(RegimeAxis::batch),
                                         RegimeAxis::width, DefaultAxisValues(RegimeAxis::width));
  w.Add(RegimeMapPlot(map, options.out_dir, "regime_map",
                      "Bounding regime, " + model.name + " " + ToString(model.precision) +
                          " with width varied (64-wide heads), " + profile.display_name + "\n" +
                          ToString(options.pipeline.execution) + ", " +
                          ToString(options.pipeline.input) + " input, " +
                          ToString(options.pipeline.host_memory) + ", " +
                          ToString(options.pipeline.pipeline)));

  result.rendered = true;
  for (const PlotSpec& spec : w.plots) {
    result.plot_stems.push_back(spec.stem);
    std::string message;
    if (RenderPlot(options.out_dir, spec, &message)) {
      for (const char* ext : {".png", ".svg"})
        if (std::filesystem::exists(options.out_dir + "/" + spec.stem + ext))
          result.images.push_back(options.out_dir + "/" + spec.stem + ext);
    } else {
      result.rendered = false;
      if (std::find(result.messages.begin(), result.messages.end(), message) ==
          result.messages.end())
        result.messages.push_back(message);
    }
  }

  OutputFile md = OpenFile(options.out_dir, "report.md");
  md << "# vitperf report: " << profile.display_name << "\n\n";
  md << "- profile `" << profile.name << "`, "
     << (profile.calibrated ? "calibrated (fitted coefficients)"
                            : "**not calibrated** (datasheet figures and default coefficients)")
     << "\n";
  md << "- vitperf " << VersionString() << " (" << GitRevision() << ")";
  if (!options.invocation.empty()) md << ", `" << options.invocation << "`";
  md << "\n";
  if (!options.data_paths.empty()) {
    md << "- measurements:";
    for (const auto& p : options.data_paths) md << " `" << p << "`";
    md << " (" << data.pipeline.size() << " pipeline records, " << data.probes.size()
       << " probes)\n";
  }
  if (!result.rendered)
    for (const auto& m : result.messages) md << "- plots not rendered: " << m << "\n";
  md << "\nEvery plot has its data (`*.dat`) and gnuplot script (`*.gp`) beside it.\n";

  md << "\n## Roofline\n\n![roofline](roofline.png)\n\n"
     << "Each operator of " << model.name << " at its recommended " << roofline_batch << " ("
     << ToString(model.precision)
     << "), placed by arithmetic intensity and predicted achieved rate";
  if (!data.pipeline.empty()) md << "; measured forward passes as diamonds";
  md << ".\n";

  md << "\n## Throughput and time per image against batch\n\n"
     << "![throughput](throughput_vs_batch.png)\n\n![time per "
        "image](time_per_image_vs_batch.png)\n";
  if (!accuracy.empty())
    md << "\n## Predicted vs measured\n\n![predicted vs measured](predicted_vs_measured.png)\n\n"
       << accuracy;

  md << "\n## Scaling laws\n\n![optimal batch](law_optimal_batch.png)\n\n"
     << "![time vs resolution](law_time_vs_resolution.png)\n\n"
     << "![memory vs resolution](law_memory_vs_resolution.png)\n";
  PrintScalingLaws(laws, profile, options.laws, md, true);
  if (!data.pipeline.empty()) {
    const auto measured = FitMeasuredLaws(data, profile, options.law_tolerance);
    PrintMeasuredLaws(measured, options.law_tolerance, md, true);
  }

  md << "\n## Regime map\n\n![regime map](regime_map.png)\n\n"
     << "C compute, M memory, T transfer (PCIe), O overhead (launch/dispatch), P host "
        "preprocessing, x does not fit, - invalid. Regime changes along batch (bisected on the "
        "model):\n\n";
  for (const RegimeBoundary& b : map.boundaries)
    md << "- " << b.y << " px: " << ToString(b.from) << " up to batch " << b.x_before << ", "
       << ToString(b.to) << " from batch " << b.x_after << "\n";
  md.Close();
  result.report_path = options.out_dir + "/report.md";
  return result;
}

}  // namespace vitperf
