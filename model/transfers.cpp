#include "model/transfers.h"

namespace vitperf {

double OutputBytes(const ViTConfig& c, int batch) {
  // Under autocast the logits come out of a product (its precision); the pooled feature and
  // the tokens out of the fp32 stream.
  const double e = ElementBytes(c.precision), stream = c.autocast ? 4 : e;
  switch (c.output) {
    case OutputKind::logits:
      return static_cast<double>(batch) * c.classes * e;
    case OutputKind::pooled:
      return static_cast<double>(batch) * c.dim * stream;
    case OutputKind::tokens:
      return static_cast<double>(batch) * c.Tokens() * c.dim * stream;
  }
  return 0;
}

TransferVolume ComputeTransfers(const ViTConfig& c, int batch, const PipelineOptions& o) {
  TransferVolume t;
  if (o.compute_only) return t;
  const double pixels = static_cast<double>(batch) * static_cast<double>(c.PixelsPerImage());
  const double input_element = o.input == InputFormat::uint8 ? 1.0 : 4.0;
  t.h2d_bytes = pixels * input_element;
  // Images decoded straight into the pinned ring leave the host nothing to stage.
  t.host_staged_bytes = o.start == ImageStart::pinned ? 0.0 : t.h2d_bytes;
  t.host_normalizes = o.input == InputFormat::float32;
  t.d2h_bytes = OutputBytes(c, batch);
  return t;
}

}  // namespace vitperf
