"""What TensorFlow reports about its build, for sysinfo's record (sysinfo/probe.py runs it in a child Python)."""

from __future__ import annotations

from ...installed import load_file, package_file


def _tensorflow() -> dict:
    # tf.sysconfig.get_build_info() returns this generated file's dict; reading it directly skips TensorFlow's
    # import, measured at ~6 s of the ~11 s a full `mlf sysinfo` took on this 2-core machine.
    path = package_file("tensorflow", "python", "platform", "build_info.py")
    if path is not None:
        build, source = dict(load_file("_mlf_tf_build_info", path).build_info), str(path)
    else:
        import tensorflow as tf

        build, source = dict(tf.sysconfig.get_build_info()), "tf.sysconfig.get_build_info()"
    return {"cuda": build.get("cuda_version"), "cudnn": build.get("cudnn_version"),
            "is_cuda_build": build.get("is_cuda_build"), "is_rocm_build": build.get("is_rocm_build"),
            "source": source}


# component → what it reports (JSON-able); the module whose presence in sys.modules lets it be asked in-process;
# what a difference in it means (`mlf sysinfo --diff`, sysinfo/compare.py)
PROBES = {"tensorflow": _tensorflow}
MODULES = {"tensorflow": "tensorflow"}
WHY = {"tensorflow": "what TensorFlow reported at run time (its CUDA build)"}
