// Renders plots with the external `gnuplot` program: vitperf writes the data (.dat) and a script
// (.gp) beside each image, so a plot can be re-rendered or restyled without vitperf.
#pragma once

#include <string>
#include <vector>

namespace vitperf {

struct GnuplotInfo {
  bool available = false;
  std::string png_terminal;  // "pngcairo" when built in (antialiased), else "png"
  bool svg = false;          // the svg terminal is built in
  std::string message;       // why not available, for the user
};

// Probes the `gnuplot` on PATH once per process (or $VITPERF_GNUPLOT when set).
const GnuplotInfo& DetectGnuplot();

struct PlotSpec {
  std::string stem;                     // files: <stem>.gp, <stem>.png, <stem>.svg
  std::string title, x_label, y_label;  // labels carry their units in brackets
  bool log_x = false, log_y = false;
  int width_px = 960, height_px = 600;
  std::vector<std::string> settings;  // extra gnuplot commands before the plot
  std::string plot;                   // the `plot ...` command, data files relative to the dir
};

// Writes <dir>/<stem>.gp, which draws the PNG and (when available) the SVG.
std::string WritePlotScript(const std::string& dir, const PlotSpec& spec, const GnuplotInfo& info);

// Runs gnuplot on <dir>/<stem>.gp in dir. False with *message (gnuplot's stderr) on failure.
bool RenderPlot(const std::string& dir, const PlotSpec& spec, std::string* message);

// A gnuplot string literal: 'text' with embedded quotes doubled.
std::string GnuplotString(const std::string& text);
// A gnuplot double-quoted string: newlines in `text` become line breaks in titles.
std::string GnuplotText(const std::string& text);

}  // namespace vitperf
