# Sourced by build-deb.sh and smoke-test.sh so both agree on the package's name, version and file.
# Expects to run from the repository root with PYTHON set to an interpreter that has tomllib (3.11+).
PACKAGE=sealpost
VERSION=$("$PYTHON" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
ARCH=$(dpkg --print-architecture)
DEB=dist/${PACKAGE}_${VERSION}_${ARCH}.deb
