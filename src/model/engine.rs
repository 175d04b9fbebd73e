//! Which ONNX engine runs the model: ONNX Runtime (native, loaded at run time from a library file)
//! or tract (pure Rust, compiled in). Both sit behind the same `ort` API; the choice is made once
//! per process.

use crate::error::{Error, Result};
use ort::session::Session;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// What the caller asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum EngineChoice {
    /// Native ONNX Runtime if `ORT_DYLIB_PATH` names a library, tract otherwise.
    #[default]
    Auto,
    /// tract, the pure-Rust engine.
    Tract,
    /// Native ONNX Runtime from this library file (or `ORT_DYLIB_PATH` when `None`).
    OnnxRuntime(Option<PathBuf>),
}

/// The engine in use.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct EngineInfo {
    /// `tract` or `onnxruntime`.
    pub name: &'static str,
    /// Library file, for ONNX Runtime.
    pub library: Option<PathBuf>,
    /// Engine version.
    pub version: String,
}

struct Active {
    info: EngineInfo,
    env: ort::environment::Environment,
}

// SAFETY: the environment is an immutable handle used only to build sessions.
unsafe impl Send for Active {}
unsafe impl Sync for Active {}

static ACTIVE: OnceLock<Active> = OnceLock::new();
static INIT_LOCK: Mutex<()> = Mutex::new(());

/// Sets up the engine for this process. The first call decides; later calls with a different
/// choice get an error (ort holds one engine per process).
pub fn init_engine(choice: &EngineChoice) -> Result<&'static EngineInfo> {
    let _guard = INIT_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let wanted = resolve(choice);
    if let Some(a) = ACTIVE.get() {
        let same = match (&wanted, a.info.name) {
            (Resolved::Tract, "tract") => true,
            (Resolved::Native(p), "onnxruntime") => a.info.library.as_deref() == Some(p.as_path()),
            _ => matches!(choice, EngineChoice::Auto),
        };
        if !same {
            return Err(Error::Engine(format!(
                "engine {} is already active in this process",
                a.info.name
            )));
        }
        return Ok(&a.info);
    }
    let info = match wanted {
        Resolved::Tract => {
            ort::set_api(ort_tract::api());
            EngineInfo {
                name: "tract",
                library: None,
                version: "tract-onnx 0.23 (ort-tract 0.5)".into(),
            }
        }
        Resolved::Native(path) => load_native(&path)?,
    };
    let env = ort::init()
        .with_name("posguard")
        .build()
        .map_err(|e| Error::Engine(format!("creating the {} environment: {e}", info.name)))?;
    let active = ACTIVE.get_or_init(|| Active { info, env });
    Ok(&active.info)
}

/// The active engine, if one was set up.
pub fn active_engine() -> Option<&'static EngineInfo> {
    ACTIVE.get().map(|a| &a.info)
}

enum Resolved {
    Tract,
    Native(PathBuf),
}

fn resolve(choice: &EngineChoice) -> Resolved {
    let from_env = || {
        std::env::var_os("ORT_DYLIB_PATH")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    match choice {
        EngineChoice::Tract => Resolved::Tract,
        EngineChoice::OnnxRuntime(Some(p)) => Resolved::Native(p.clone()),
        EngineChoice::OnnxRuntime(None) => {
            Resolved::Native(from_env().unwrap_or_else(|| PathBuf::from("libonnxruntime.so")))
        }
        EngineChoice::Auto => match from_env() {
            Some(p) => Resolved::Native(p),
            None => Resolved::Tract,
        },
    }
}

fn load_native(path: &Path) -> Result<EngineInfo> {
    let fail = |why: String| {
        Error::Engine(format!(
            "cannot use ONNX Runtime from {}: {why} (run scripts/fetch-onnxruntime.sh, or use --engine tract)",
            path.display()
        ))
    };
    // SAFETY: loading a shared library runs its initialisers; the user named this file as their
    // ONNX Runtime. The library is never unloaded (ort keeps pointers into it).
    unsafe {
        let lib = libloading::Library::new(path).map_err(|e| fail(e.to_string()))?;
        let get_base: libloading::Symbol<unsafe extern "C" fn() -> *const ort::sys::OrtApiBase> =
            lib.get(b"OrtGetApiBase")
                .map_err(|_| fail("the library does not export OrtGetApiBase".into()))?;
        let base = get_base();
        if base.is_null() {
            return Err(fail("OrtGetApiBase returned null".into()));
        }
        let version_ptr = ((*base).GetVersionString)();
        let version = if version_ptr.is_null() {
            "unknown".to_string()
        } else {
            std::ffi::CStr::from_ptr(version_ptr)
                .to_string_lossy()
                .into_owned()
        };
        let api = ((*base).GetApi)(ort::sys::ORT_API_VERSION);
        if api.is_null() {
            return Err(fail(format!(
                "ONNX Runtime {version} is too old: API version {} (ONNX Runtime 1.{}) or newer is needed",
                ort::sys::ORT_API_VERSION,
                ort::sys::ORT_API_VERSION
            )));
        }
        ort::set_api(std::ptr::read(api));
        std::mem::forget(lib);
        Ok(EngineInfo {
            name: "onnxruntime",
            library: Some(path.to_path_buf()),
            version,
        })
    }
}

/// Builds a session for `bytes` on the active engine.
pub(crate) fn session(bytes: &[u8]) -> Result<Session> {
    let active = ACTIVE
        .get()
        .ok_or_else(|| Error::Engine("no engine initialised".into()))?;
    let mut b = Session::builder(&active.env)?;
    if active.info.name == "onnxruntime" {
        // One thread per session: posguard parallelises across messages itself.
        b = b
            .with_intra_threads(1)
            .map_err(|e| Error::Engine(e.to_string()))?;
    }
    Ok(b.commit_from_memory(bytes)?)
}
