//! Writing and reading posguard's ONNX graph (with the `onnx-protobuf` crate).
//!
//! The graph scores a batch of sparse feature vectors with one linear layer:
//!
//! ```text
//! feature_ids    int64 [batch, nnz]   feature_values float [batch, nnz]
//!   Gather(weights [dim, 3 + 7], feature_ids)      → [batch, nnz, 10]
//!   Mul(·, Unsqueeze(feature_values, 2))           → [batch, nnz, 10]
//!   ReduceSum(axis 1) + bias                       → logits [batch, 10]
//!   Softmax(logits[:, 0:3])  → verdict_probs [batch, 3]
//!   Sigmoid(logits[:, 3:10]) → pattern_probs [batch, 7]
//! ```
//!
//! Padding positions carry value 0 and so contribute nothing. Batch and nnz are named symbolic
//! dimensions (tract needs names). Everything else that defines the model — labels, patterns,
//! feature configuration, decision thresholds, training fingerprint — is in `metadata_props`.

use onnx_protobuf::tensor_proto::DataLocation;
use onnx_protobuf::{
    tensor_proto::DataType, tensor_shape_proto, type_proto, AttributeProto, GraphProto, ModelProto,
    NodeProto, OperatorSetIdProto, StringStringEntryProto, TensorProto, TensorShapeProto,
    TypeProto, ValueInfoProto,
};
use protobuf::Message;

use super::ModelCheck;

pub const INPUT_IDS: &str = "feature_ids";
pub const INPUT_VALUES: &str = "feature_values";
pub const OUTPUT_VERDICT: &str = "verdict_probs";
pub const OUTPUT_PATTERNS: &str = "pattern_probs";
pub const WEIGHTS: &str = "weights";
pub const BIAS: &str = "bias";
const OPSET: i64 = 13;

/// The numbers of the linear model: `weights` is row-major `[dim, n_verdicts + n_patterns]`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearParams {
    pub dim: usize,
    pub n_verdicts: usize,
    pub n_patterns: usize,
    pub weights: Vec<f32>,
    pub bias: Vec<f32>,
}

impl LinearParams {
    pub fn n_outputs(&self) -> usize {
        self.n_verdicts + self.n_patterns
    }

    /// Per pattern head: whether it looks at the text at all (some weight is not zero). `train`
    /// leaves a head it had no labels for at zero weights and a bias of −30, which scores every
    /// message the same, about 1e-13.
    pub fn trained_heads(&self) -> [bool; crate::labels::Pattern::ALL.len()] {
        let c = self.n_outputs();
        let mut trained = [false; crate::labels::Pattern::ALL.len()];
        for (k, t) in trained.iter_mut().enumerate().take(self.n_patterns) {
            let col = self.n_verdicts + k;
            *t = (0..self.dim).any(|j| self.weights[j * c + col] != 0.0);
        }
        trained
    }

    /// Weight of feature `id` for output column `col`.
    pub fn weight(&self, id: usize, col: usize) -> f32 {
        self.weights[id * self.n_outputs() + col]
    }
}

fn tensor_f32(name: &str, dims: &[i64], data: &[f32]) -> TensorProto {
    let mut t = TensorProto::new();
    t.name = name.to_string();
    t.dims = dims.to_vec();
    t.data_type = DataType::FLOAT as i32;
    let mut raw = Vec::with_capacity(data.len() * 4);
    for v in data {
        raw.extend_from_slice(&v.to_le_bytes());
    }
    t.raw_data = raw;
    t
}

fn tensor_i64(name: &str, data: &[i64]) -> TensorProto {
    let mut t = TensorProto::new();
    t.name = name.to_string();
    t.dims = vec![data.len() as i64];
    t.data_type = DataType::INT64 as i32;
    t.int64_data = data.to_vec();
    t
}

fn value_info(name: &str, elem: DataType, dims: &[Result<i64, &str>]) -> ValueInfoProto {
    let mut shape = TensorShapeProto::new();
    for d in dims {
        let mut dim = tensor_shape_proto::Dimension::new();
        dim.value = Some(match d {
            Ok(v) => tensor_shape_proto::dimension::Value::DimValue(*v),
            Err(p) => tensor_shape_proto::dimension::Value::DimParam(p.to_string()),
        });
        shape.dim.push(dim);
    }
    let mut tt = type_proto::Tensor::new();
    tt.elem_type = elem as i32;
    tt.shape = protobuf::MessageField::some(shape);
    let mut tp = TypeProto::new();
    tp.value = Some(type_proto::Value::TensorType(tt));
    let mut vi = ValueInfoProto::new();
    vi.name = name.to_string();
    vi.type_ = protobuf::MessageField::some(tp);
    vi
}

fn node(op: &str, inputs: &[&str], outputs: &[&str], attrs: Vec<AttributeProto>) -> NodeProto {
    let mut n = NodeProto::new();
    n.op_type = op.to_string();
    n.name = format!("{}_{}", op.to_lowercase(), outputs[0]);
    n.input = inputs.iter().map(|s| s.to_string()).collect();
    n.output = outputs.iter().map(|s| s.to_string()).collect();
    n.attribute = attrs;
    n
}

fn attr_int(name: &str, v: i64) -> AttributeProto {
    let mut a = AttributeProto::new();
    a.name = name.to_string();
    a.type_ = protobuf::EnumOrUnknown::new(onnx_protobuf::attribute_proto::AttributeType::INT);
    a.i = v;
    a
}

/// Serialises the linear model and its metadata as an ONNX model.
pub fn write_model(params: &LinearParams, metadata: &[(String, String)]) -> Vec<u8> {
    let c = params.n_outputs() as i64;
    let nv = params.n_verdicts as i64;
    let mut g = GraphProto::new();
    g.name = "posguard_linear".into();
    g.initializer.push(tensor_f32(
        WEIGHTS,
        &[params.dim as i64, c],
        &params.weights,
    ));
    g.initializer.push(tensor_f32(BIAS, &[c], &params.bias));
    g.initializer.push(tensor_i64("axis_2", &[2]));
    g.initializer.push(tensor_i64("axis_1", &[1]));
    g.initializer.push(tensor_i64("verdict_start", &[0]));
    g.initializer.push(tensor_i64("verdict_end", &[nv]));
    g.initializer.push(tensor_i64("pattern_end", &[c]));
    g.input.push(value_info(
        INPUT_IDS,
        DataType::INT64,
        &[Err("batch"), Err("nnz")],
    ));
    g.input.push(value_info(
        INPUT_VALUES,
        DataType::FLOAT,
        &[Err("batch"), Err("nnz")],
    ));
    g.output.push(value_info(
        OUTPUT_VERDICT,
        DataType::FLOAT,
        &[Err("batch"), Ok(nv)],
    ));
    g.output.push(value_info(
        OUTPUT_PATTERNS,
        DataType::FLOAT,
        &[Err("batch"), Ok(params.n_patterns as i64)],
    ));
    g.node.push(node(
        "Gather",
        &[WEIGHTS, INPUT_IDS],
        &["gathered"],
        vec![attr_int("axis", 0)],
    ));
    g.node.push(node(
        "Unsqueeze",
        &[INPUT_VALUES, "axis_2"],
        &["values_3d"],
        vec![],
    ));
    g.node.push(node(
        "Mul",
        &["gathered", "values_3d"],
        &["weighted"],
        vec![],
    ));
    g.node.push(node(
        "ReduceSum",
        &["weighted", "axis_1"],
        &["summed"],
        vec![attr_int("keepdims", 0)],
    ));
    g.node
        .push(node("Add", &["summed", BIAS], &["logits"], vec![]));
    g.node.push(node(
        "Slice",
        &["logits", "verdict_start", "verdict_end", "axis_1"],
        &["verdict_logits"],
        vec![],
    ));
    g.node.push(node(
        "Slice",
        &["logits", "verdict_end", "pattern_end", "axis_1"],
        &["pattern_logits"],
        vec![],
    ));
    g.node.push(node(
        "Softmax",
        &["verdict_logits"],
        &[OUTPUT_VERDICT],
        vec![attr_int("axis", -1)],
    ));
    g.node.push(node(
        "Sigmoid",
        &["pattern_logits"],
        &[OUTPUT_PATTERNS],
        vec![],
    ));

    let mut m = ModelProto::new();
    m.ir_version = 8;
    m.producer_name = "posguard".into();
    m.producer_version = env!("CARGO_PKG_VERSION").into();
    m.domain = "posguard".into();
    m.model_version = 1;
    let mut opset = OperatorSetIdProto::new();
    opset.domain = String::new();
    opset.version = OPSET;
    m.opset_import.push(opset);
    m.graph = protobuf::MessageField::some(g);
    for (k, v) in metadata {
        let mut e = StringStringEntryProto::new();
        e.key = k.clone();
        e.value = v.clone();
        m.metadata_props.push(e);
    }
    m.write_to_bytes().expect("ONNX model serialises")
}

/// What was read back from a model file: metadata and the linear parameters.
#[derive(Debug, Clone)]
pub struct ParsedModel {
    pub metadata: Vec<(String, String)>,
    pub params: LinearParams,
}

fn read_f32(t: &TensorProto) -> Result<Vec<f32>, ModelCheck> {
    let bad = |reason: &str| ModelCheck::TensorData {
        tensor: t.name.clone(),
        reason: reason.to_string(),
    };
    if t.data_type != DataType::FLOAT as i32 {
        return Err(bad("not float32"));
    }
    if t.data_location.value() != DataLocation::DEFAULT as i32 || !t.external_data.is_empty() {
        return Err(bad(
            "data stored outside the model file (external data is not read)",
        ));
    }
    if !t.float_data.is_empty() {
        if !t.raw_data.is_empty() {
            return Err(bad("both float_data and raw_data are set"));
        }
        return Ok(t.float_data.clone());
    }
    if !t.raw_data.len().is_multiple_of(4) {
        return Err(bad("truncated buffer"));
    }
    Ok(t.raw_data
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

/// Largest feature dimension a model may declare (the default model has about 14,000).
pub const MAX_DIM: i64 = 50_000_000;

/// Parses a posguard ONNX model and checks it before anything is allocated from its declared
/// sizes or run: the graph must be exactly posguard's linear graph (same operators, wiring,
/// inputs, outputs, constants and opset) with `weights` `[dim, n_verdicts + n_patterns]` and
/// `bias` `[n_verdicts + n_patterns]` stored in the file, all finite.
pub fn read_model(
    bytes: &[u8],
    n_verdicts: usize,
    n_patterns: usize,
) -> Result<ParsedModel, ModelCheck> {
    if bytes.is_empty() {
        return Err(ModelCheck::Empty);
    }
    let m = ModelProto::parse_from_bytes(bytes)
        .map_err(|e| ModelCheck::NotOnnx(format!("protobuf: {e}")))?;
    let g = m
        .graph
        .as_ref()
        .ok_or_else(|| ModelCheck::NotOnnx("the model has no graph".into()))?;
    let names = |v: &[ValueInfoProto]| v.iter().map(|i| i.name.clone()).collect::<Vec<_>>();
    let (inputs, outputs) = (names(&g.input), names(&g.output));
    if inputs != [INPUT_IDS, INPUT_VALUES] {
        return Err(ModelCheck::Graph(format!(
            "graph inputs are {inputs:?}, expected [{INPUT_IDS}, {INPUT_VALUES}]"
        )));
    }
    if outputs != [OUTPUT_VERDICT, OUTPUT_PATTERNS] {
        return Err(ModelCheck::Graph(format!(
            "graph outputs are {outputs:?}, expected [{OUTPUT_VERDICT}, {OUTPUT_PATTERNS}]"
        )));
    }
    let find = |name: &str| {
        let mut it = g.initializer.iter().filter(|t| t.name == name);
        match (it.next(), it.next()) {
            (Some(t), None) => Ok(t),
            (None, _) => Err(ModelCheck::Graph(format!("graph has no {name} tensor"))),
            (Some(_), Some(_)) => Err(ModelCheck::Graph(format!("graph has two {name} tensors"))),
        }
    };
    let w = find(WEIGHTS)?;
    let b = find(BIAS)?;
    let c = (n_verdicts + n_patterns) as i64;
    if w.dims.len() != 2 || w.dims[1] != c || w.dims[0] <= 0 || w.dims[0] > MAX_DIM {
        return Err(ModelCheck::TensorShape {
            tensor: WEIGHTS.into(),
            shape: w.dims.clone(),
            expected: format!("[dim, {c}] with 0 < dim <= {MAX_DIM}"),
        });
    }
    if b.dims != [c] {
        return Err(ModelCheck::TensorShape {
            tensor: BIAS.into(),
            shape: b.dims.clone(),
            expected: format!("[{c}]"),
        });
    }
    let dim = w.dims[0] as usize;
    // The buffers are read only once they are known to be of the declared size (no allocation
    // from a declared dimension).
    let stored = |t: &TensorProto| (t.raw_data.len() / 4).max(t.float_data.len());
    for (t, want) in [(w, dim * c as usize), (b, c as usize)] {
        if stored(t) != want {
            return Err(ModelCheck::TensorData {
                tensor: t.name.clone(),
                reason: format!(
                    "holds {} values but its shape {:?} needs {want}",
                    stored(t),
                    t.dims
                ),
            });
        }
    }
    let weights = read_f32(w)?;
    let bias = read_f32(b)?;
    if weights.len() != dim * c as usize || bias.len() != c as usize {
        return Err(ModelCheck::TensorData {
            tensor: WEIGHTS.into(),
            reason: "weights or bias buffer does not match its shape".into(),
        });
    }
    for (t, v) in [(WEIGHTS, &weights), (BIAS, &bias)] {
        if let Some(i) = v.iter().position(|v| !v.is_finite()) {
            return Err(ModelCheck::NonFinite {
                tensor: t.into(),
                index: i,
            });
        }
    }
    let params = LinearParams {
        dim,
        n_verdicts,
        n_patterns,
        weights,
        bias,
    };
    check_graph(&m, &params)?;
    Ok(ParsedModel {
        metadata: m
            .metadata_props
            .iter()
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect(),
        params,
    })
}

/// The graph must be the one [`write_model`] writes for these parameters: nothing else is ever
/// handed to an inference engine.
fn check_graph(m: &ModelProto, params: &LinearParams) -> Result<(), ModelCheck> {
    let tiny = LinearParams {
        dim: 1,
        weights: vec![0.0; params.n_outputs()],
        ..params.clone()
    };
    let want = ModelProto::parse_from_bytes(&write_model(&tiny, &[])).expect("own model parses");
    let (wg, g) = (
        want.graph.as_ref().expect("graph"),
        m.graph.as_ref().expect("graph"),
    );
    let graph = |what: String| Err(ModelCheck::Graph(what));
    // Operator, inputs, outputs and attributes of each node (names and docs may differ).
    type Op<'a> = (&'a str, &'a [String], &'a [String], &'a [AttributeProto]);
    fn ops(g: &GraphProto) -> Vec<Op<'_>> {
        g.node
            .iter()
            .map(|n| {
                (
                    n.op_type.as_str(),
                    &n.input[..],
                    &n.output[..],
                    &n.attribute[..],
                )
            })
            .collect()
    }
    if ops(g) != ops(wg) || g.node.iter().any(|n| !n.domain.is_empty()) {
        let found: Vec<&str> = g.node.iter().map(|n| n.op_type.as_str()).collect();
        return graph(format!(
            "graph nodes {found:?} are not posguard's linear graph"
        ));
    }
    if g.input != wg.input || g.output != wg.output {
        return graph("graph input or output types differ from posguard's".into());
    }
    let consts = |g: &GraphProto| -> Vec<TensorProto> {
        g.initializer
            .iter()
            .filter(|t| t.name != WEIGHTS && t.name != BIAS)
            .cloned()
            .collect()
    };
    if consts(g) != consts(wg) || g.initializer.len() != wg.initializer.len() {
        return graph("graph constants differ from posguard's".into());
    }
    if !g.sparse_initializer.is_empty() {
        return graph("graph has sparse initializers".into());
    }
    if m.opset_import != want.opset_import {
        let found: Vec<String> = m
            .opset_import
            .iter()
            .map(|o| format!("{:?} {}", o.domain, o.version))
            .collect();
        return graph(format!("operator sets {found:?}, expected [\"\" {OPSET}]"));
    }
    if !m.functions.is_empty() || !m.training_info.is_empty() {
        return graph("model carries functions or training information".into());
    }
    Ok(())
}
