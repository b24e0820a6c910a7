using System.Runtime.Versioning;

// The tests exercise Linux images, modes and tools (docker, tar, runc), so the test assembly is
// Linux-only; saying so once keeps the platform analyzer quiet about Unix file modes everywhere.
[assembly: SupportedOSPlatform("linux")]
