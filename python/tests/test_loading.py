"""Library discovery, declared symbols, C structure layout, packaging."""

import ctypes
import os
import shutil
import subprocess
import sys

import pytest

import proton
from proton import _cproton
from conftest import PYTHON_DIR, REPO, SYSTEM_LIB, loaded_library_files

SONAME = "libqpid-proton.so.11"


def test_proton_lib_env_is_the_loaded_library():
    env = os.environ.get("PROTON_LIB")
    assert env, "run-tests.sh sets PROTON_LIB; the suite must know which library it tests"
    assert _cproton.LIBRARY_PATH == env
    assert _cproton.LIBRARY_SOURCE == "PROTON_LIB"
    assert os.path.realpath(env) in loaded_library_files()


def test_only_one_proton_library_is_mapped():
    assert loaded_library_files() == {os.path.realpath(_cproton.LIBRARY_PATH)}


def test_every_declared_function_is_exported():
    assert _cproton.MISSING == [], "functions missing from %s" % _cproton.LIBRARY_PATH
    assert len(_cproton.DECLARED) >= 140


def test_declared_functions_are_module_attributes():
    for name in _cproton.DECLARED:
        if name in _cproton._HIDDEN:
            assert not hasattr(proton, name), name
        else:
            assert callable(getattr(proton, name)), name
    for name in ("pn_data_encode", "pn_data_decode", "pn_data_format", "pn_message_encode",
                 "pn_message_decode"):
        assert callable(getattr(proton, name))


def test_structure_sizes():
    assert ctypes.sizeof(_cproton.pn_bytes_t) == 16
    assert ctypes.sizeof(_cproton.pn_uuid_t) == 16
    assert ctypes.sizeof(_cproton.pn_decimal128_t) == 16
    assert ctypes.sizeof(_cproton.pn_atom_t) == 24
    assert _cproton.pn_atom_t.u0.offset == 8


def _our_build_libraries():
    build = os.environ.get("PROTON_BUILD_LIB", os.path.join(REPO, "build", "lib"))
    return [os.path.realpath(p) for p in (
        os.path.join(PYTHON_DIR, "proton", "_lib", SONAME), os.path.join(build, SONAME))
        if os.path.exists(p)]


def _clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("PROTON_LIB", "PYTHONPATH")}
    env.update(extra)
    return env


PROBE = ("import os, sys, proton\n"
         "from proton import _cproton\n"
         "maps = set(os.path.realpath(l.split()[5]) for l in open('/proc/self/maps')"
         " if len(l.split()) >= 6 and 'libqpid-proton' in l.split()[5])\n"
         "print(proton.__file__); print(os.path.realpath(_cproton.LIBRARY_PATH));"
         " print(_cproton.LIBRARY_SOURCE); print(sorted(maps))\n")


def test_import_without_proton_lib_loads_the_build_tree_library():
    ours = _our_build_libraries()
    assert ours, "no build-tree library: run make (or copy it to build/lib)"
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=PYTHON_DIR, env=_clean_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert out.returncode == 0, out.stderr
    pkg, path, source, maps = out.stdout.splitlines()
    assert pkg.startswith(os.path.join(PYTHON_DIR, "proton"))
    assert source in ("package", "build tree")
    assert path in ours and path != os.path.realpath(SYSTEM_LIB)
    assert maps == repr([path])


def test_packaged_library_copy_is_current():
    """`import proton` prefers proton/_lib: a copy older than the build tree's would be used."""
    ours = _our_build_libraries()
    assert ours, "no build-tree library: run make (or copy it to build/lib)"
    if len(ours) == 2:
        with open(ours[0], "rb") as a, open(ours[1], "rb") as b:
            assert a.read() == b.read(), \
                "python/proton/_lib holds a stale copy of build/lib's library: run make"


def test_proton_lib_that_cannot_load_is_an_import_error(tmp_path):
    bogus = tmp_path / "libqpid-proton.so.11"
    bogus.write_bytes(b"not a library")
    out = subprocess.run([sys.executable, "-c", "import proton"], cwd=PYTHON_DIR,
                         env=_clean_env(PROTON_LIB=str(bogus)),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert out.returncode != 0
    assert "ImportError" in out.stderr and "cannot load PROTON_LIB" in out.stderr


def test_pip_install_ships_and_finds_the_packaged_library(tmp_path):
    packaged = os.path.join(PYTHON_DIR, "proton", "_lib", SONAME)
    if not os.path.exists(packaged):
        pytest.fail("python/proton/_lib/%s missing: run make" % SONAME)
    src = tmp_path / "src"
    shutil.copytree(PYTHON_DIR, str(src), ignore=shutil.ignore_patterns(
        "tests", "__pycache__", "build", "*.egg-info"))
    target = tmp_path / "site"
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                          "--no-build-isolation", "--disable-pip-version-check",
                          "--target", str(target), str(src)],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    assert pip.returncode == 0, pip.stdout
    installed = target / "proton" / "_lib" / SONAME
    assert installed.exists()
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=str(tmp_path),
                         env=_clean_env(PYTHONPATH=str(target)),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert out.returncode == 0, out.stderr
    pkg, path, source, maps = out.stdout.splitlines()
    assert pkg == str(target / "proton" / "__init__.py")
    assert source == "package" and path == os.path.realpath(str(installed))
    assert maps == repr([path])
