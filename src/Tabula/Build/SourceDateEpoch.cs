using System.Globalization;
using Tabula.Dockerfile;

namespace Tabula.Build;

/// <summary>
/// BuildKit's SOURCE_DATE_EPOCH: a <c>--build-arg</c> of that name (empty: none), else the timestamp option (which
/// the command line takes from the environment variable), else the default of a meta-ARG of that name in the
/// Dockerfile. <c>context</c> asks for the context's own time, which a local context does not have: none.
/// </summary>
internal static class SourceDateEpoch
{
    public const string Name = "SOURCE_DATE_EPOCH";

    public static DateTimeOffset? Resolve(DockerfileDocument document, BuildOptions options, MetaArgs metaArgs)
    {
        string? text;
        if (options.BuildArgs.TryGetValue(Name, out var given)) text = given;
        else if (options.Timestamp is { } timestamp) return timestamp;
        else if (!metaArgs.Values.TryGetValue(Name, out text)) return null;
        if (text.Length == 0 || text == "context") return null;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        var declared = document.MetaArgs.FirstOrDefault(a => a.Arguments.Any(d => d.Name == Name));
        throw new DockerfileException(declared?.Location ?? new SourceLocation(document.FileName, 1, 1), $"invalid {Name}: {text}");
    }
}
