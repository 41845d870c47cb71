#include "measure/tensor_archive.h"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

#include "model/input_file.h"
#include "model/output_file.h"
#include "model/strict_json.h"

namespace vitperf::measure {
namespace {

namespace fs = std::filesystem;

bool LittleEndianHost() {
  const std::uint16_t one = 1;
  unsigned char first = 0;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

const char* DtypeName(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat:
      return "float32";
    case torch::kLong:
      return "int64";
    default:
      return nullptr;
  }
}

// The archive's size cap [bytes]: a ViT-H/14 in float32 is 2.5 GB; 64 GiB bounds a corrupt
// index's offsets without limiting any real model.
constexpr std::int64_t kMaxArchiveBytes = std::int64_t{64} << 30;

}  // namespace

NamedTensors ModuleState(const torch::nn::Module& module) {
  // A layer built without a bias registers an undefined "bias": no tensor, no entry (as in
  // PyTorch, where it is None and absent from the state_dict).
  NamedTensors out;
  for (const auto& p : module.named_parameters(/*recurse=*/true))
    if (p.value().defined()) out.emplace_back(p.key(), p.value());
  for (const auto& b : module.named_buffers(/*recurse=*/true))
    if (b.value().defined()) out.emplace_back(b.key(), b.value());
  return out;
}

void WriteTensorArchive(const NamedTensors& tensors, const std::string& index_path,
                        const std::string& data_path) {
  if (!LittleEndianHost())
    throw std::runtime_error("tensor archive: written little-endian only (this host is not)");
  nlohmann::json index = {{"schema", kTensorArchiveSchema},
                          {"schema_version", kTensorArchiveSchemaVersion},
                          {"byte_order", "little"},
                          {"data", fs::path(data_path).filename().string()},
                          {"tensors", nlohmann::json::array()}};
  std::set<std::string> names;
  OutputFile data(data_path, "weights");
  std::int64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    const char* dtype = DtypeName(tensor.scalar_type());
    if (!dtype)
      throw std::invalid_argument("tensor archive: " + name + ": dtype " +
                                  std::string(c10::toString(tensor.scalar_type())) +
                                  " is not one of float32, int64");
    if (!names.insert(name).second)
      throw std::invalid_argument("tensor archive: " + name + ": name given twice");
    const torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
    const auto bytes = static_cast<std::int64_t>(t.numel() * t.element_size());
    data.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(bytes));
    index["tensors"].push_back({{"name", name},
                                {"dtype", dtype},
                                {"shape", t.sizes().vec()},
                                {"offset", offset},
                                {"bytes", bytes}});
    offset += bytes;
  }
  data.Close();
  index["data_bytes"] = offset;
  WriteOutputFile(index_path, index.dump(1) + "\n", "weights index");
}

NamedTensors ReadTensorArchive(const std::string& index_path) {
  const std::string where = "weights index " + index_path;
  const nlohmann::json index =
      ParseStrictJson(ReadInputFile(index_path, "weights index", kMaxSpecFileBytes), where);
  auto field = [&](const nlohmann::json& j, const char* key) -> const nlohmann::json& {
    if (!j.is_object() || !j.contains(key))
      throw std::invalid_argument(where + ": " + key + ": missing");
    return j.at(key);
  };
  if (field(index, "schema") != kTensorArchiveSchema ||
      field(index, "schema_version") != kTensorArchiveSchemaVersion)
    throw std::invalid_argument(where + ": schema: expected " + kTensorArchiveSchema + " version " +
                                std::to_string(kTensorArchiveSchemaVersion));
  if (field(index, "byte_order") != "little" || !LittleEndianHost())
    throw std::invalid_argument(where +
                                ": byte_order: only little-endian archives on "
                                "little-endian hosts are read");
  const auto& data_name = field(index, "data");
  if (!data_name.is_string()) throw std::invalid_argument(where + ": data: expected a file name");
  const fs::path data_path = fs::path(index_path).parent_path() / data_name.get<std::string>();
  const auto data_bytes = StrictGet<std::int64_t>(field(index, "data_bytes"));
  if (data_bytes < 0 || data_bytes > kMaxArchiveBytes)
    throw std::invalid_argument(where + ": data_bytes: outside 0.." +
                                std::to_string(kMaxArchiveBytes));
  std::error_code ec;
  const auto actual = fs::file_size(data_path, ec);
  if (ec || static_cast<std::int64_t>(actual) != data_bytes)
    throw std::invalid_argument(where + ": data: " + data_path.string() +
                                (ec ? " cannot be read" : " is not data_bytes long"));
  std::ifstream in(data_path, std::ios::binary);
  NamedTensors out;
  for (const auto& entry : field(index, "tensors")) {
    const auto name = StrictGet<std::string>(field(entry, "name"));
    const auto dtype = StrictGet<std::string>(field(entry, "dtype"));
    if (dtype != "float32" && dtype != "int64")
      throw std::invalid_argument(where + ": " + name + ": dtype: '" + dtype +
                                  "' is not one of float32, int64");
    const auto type = dtype == "float32" ? torch::kFloat : torch::kLong;
    std::vector<std::int64_t> shape;
    std::int64_t numel = 1;
    for (const auto& s : field(entry, "shape")) {
      const auto extent = StrictGet<std::int64_t>(s);
      if (extent < 0 || extent > kMaxArchiveBytes)
        throw std::invalid_argument(where + ": " + name + ": shape: negative or too large");
      shape.push_back(extent);
      numel *= extent;
      if (numel > kMaxArchiveBytes)
        throw std::invalid_argument(where + ": " + name + ": shape: too large");
    }
    const auto offset = StrictGet<std::int64_t>(field(entry, "offset"));
    const auto bytes = StrictGet<std::int64_t>(field(entry, "bytes"));
    const std::int64_t element = type == torch::kFloat ? 4 : 8;
    if (bytes != numel * element || offset < 0 || offset > data_bytes - bytes)
      throw std::invalid_argument(where + ": " + name +
                                  ": bytes or offset do not match the shape and the data file");
    torch::Tensor t = torch::empty(shape, torch::TensorOptions().dtype(type));
    in.seekg(offset);
    in.read(static_cast<char*>(t.data_ptr()), static_cast<std::streamsize>(bytes));
    if (!in) throw std::invalid_argument(where + ": data: short read of " + name);
    out.emplace_back(name, std::move(t));
  }
  return out;
}

}  // namespace vitperf::measure
