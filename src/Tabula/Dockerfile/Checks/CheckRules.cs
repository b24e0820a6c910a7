namespace Tabula.Dockerfile.Checks;

/// <summary>BuildKit's build-check rules (<c>frontend/dockerfile/linter/ruleset.go</c>): names, descriptions, pages and message texts.</summary>
public static class CheckRules
{
    private const string Docs = "https://docs.docker.com/go/dockerfile/rule/";

    public static readonly CheckRule StageNameCasing = new("StageNameCasing", "Stage names should be lowercase", Docs + "stage-name-casing/");
    public static readonly CheckRule FromAsCasing = new("FromAsCasing", "The 'as' keyword should match the case of the 'from' keyword", Docs + "from-as-casing/");
    public static readonly CheckRule NoEmptyContinuation = new("NoEmptyContinuation", "Empty continuation lines will become errors in a future release", Docs + "no-empty-continuation/");
    public static readonly CheckRule ConsistentInstructionCasing = new("ConsistentInstructionCasing", "All commands within the Dockerfile should use the same casing (either upper or lower)", Docs + "consistent-instruction-casing/");
    public static readonly CheckRule DuplicateStageName = new("DuplicateStageName", "Stage names should be unique", Docs + "duplicate-stage-name/");
    public static readonly CheckRule ReservedStageName = new("ReservedStageName", "Reserved words should not be used as stage names", Docs + "reserved-stage-name/");
    public static readonly CheckRule JsonArgsRecommended = new("JSONArgsRecommended", "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals", Docs + "json-args-recommended/");
    public static readonly CheckRule MaintainerDeprecated = new("MaintainerDeprecated", "The MAINTAINER instruction is deprecated, use a label instead to define an image author", Docs + "maintainer-deprecated/");
    public static readonly CheckRule UndefinedArgInFrom = new("UndefinedArgInFrom", "FROM command must use declared ARGs", Docs + "undefined-arg-in-from/");
    public static readonly CheckRule WorkdirRelativePath = new("WorkdirRelativePath", "Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes", Docs + "workdir-relative-path/");
    public static readonly CheckRule UndefinedVar = new("UndefinedVar", "Variables should be defined before their use", Docs + "undefined-var/");
    public static readonly CheckRule MultipleInstructionsDisallowed = new("MultipleInstructionsDisallowed", "Multiple instructions of the same type should not be used in the same stage", Docs + "multiple-instructions-disallowed/");
    public static readonly CheckRule LegacyKeyValueFormat = new("LegacyKeyValueFormat", "Legacy key/value format with whitespace separator should not be used", Docs + "legacy-key-value-format/");
    public static readonly CheckRule InvalidBaseImagePlatform = new("InvalidBaseImagePlatform", "Base image platform does not match expected target platform", null);
    public static readonly CheckRule RedundantTargetPlatform = new("RedundantTargetPlatform", "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior", Docs + "redundant-target-platform/");
    public static readonly CheckRule SecretsUsedInArgOrEnv = new("SecretsUsedInArgOrEnv", "Sensitive data should not be used in the ARG or ENV commands", Docs + "secrets-used-in-arg-or-env/");
    public static readonly CheckRule InvalidDefaultArgInFrom = new("InvalidDefaultArgInFrom", "Default value for global ARG results in an empty or invalid base image name", Docs + "invalid-default-arg-in-from/");
    public static readonly CheckRule FromPlatformFlagConstDisallowed = new("FromPlatformFlagConstDisallowed", "FROM --platform flag should not use a constant value", Docs + "from-platform-flag-const-disallowed/");
    public static readonly CheckRule CopyIgnoredFile = new("CopyIgnoredFile", "Attempting to Copy file that is excluded by .dockerignore", Docs + "copy-ignored-file/");
    public static readonly CheckRule InvalidDefinitionDescription = new("InvalidDefinitionDescription", "Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If this is not intended to be a description comment, add an empty line or comment between the instruction and the comment.", Docs + "invalid-definition-description/", Experimental: true);
    public static readonly CheckRule ExposeProtoCasing = new("ExposeProtoCasing", "Protocol in EXPOSE instruction should be lowercase", Docs + "expose-proto-casing/");
    public static readonly CheckRule ExposeInvalidFormat = new("ExposeInvalidFormat", "IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release", Docs + "expose-invalid-format/");

    public static IReadOnlyList<CheckRule> All { get; } =
    [
        StageNameCasing, FromAsCasing, NoEmptyContinuation, ConsistentInstructionCasing, DuplicateStageName, ReservedStageName,
        JsonArgsRecommended, MaintainerDeprecated, UndefinedArgInFrom, WorkdirRelativePath, UndefinedVar, MultipleInstructionsDisallowed,
        LegacyKeyValueFormat, InvalidBaseImagePlatform, RedundantTargetPlatform, SecretsUsedInArgOrEnv, InvalidDefaultArgInFrom,
        FromPlatformFlagConstDisallowed, CopyIgnoredFile, InvalidDefinitionDescription, ExposeProtoCasing, ExposeInvalidFormat,
    ];

    public static string StageNameCasingMessage(string stageName) => $"Stage name '{stageName}' should be lowercase";
    public static string FromAsCasingMessage(string from, string @as) => $"'{@as}' and '{from}' keywords' casing do not match";
    public static string NoEmptyContinuationMessage() => "Empty continuation line";
    public static string ConsistentInstructionCasingMessage(string command, string casing) => $"Command '{command}' should match the case of the command majority ({casing})";
    public static string DuplicateStageNameMessage(string stageName) => $"Duplicate stage name {GoQuoted(stageName)}, stage names should be unique";
    public static string ReservedStageNameMessage(string stageName) => $"Stage name should not use the same name as reserved stage {GoQuoted(stageName)}";
    public static string JsonArgsRecommendedMessage(string instruction) => $"JSON arguments recommended for {instruction} to prevent unintended behavior related to OS signals";
    public static string MaintainerDeprecatedMessage() => "Maintainer instruction is deprecated in favor of using label";
    public static string UndefinedArgInFromMessage(string arg, string? suggest) => $"FROM argument '{arg}' is not declared" + (suggest is null ? "" : $" (did you mean {suggest}?)");
    public static string WorkdirRelativePathMessage(string workdir) => $"Relative workdir {GoQuoted(workdir)} can have unexpected results if the base image changes";
    public static string UndefinedVarMessage(string name, string? suggest) => $"Usage of undefined variable '${name}'" + (suggest is null ? "" : $" (did you mean ${suggest}?)");
    public static string MultipleInstructionsDisallowedMessage(string instruction) => $"Multiple {instruction} instructions should not be used in the same stage because only the last one will be used";
    public static string LegacyKeyValueFormatMessage(string instruction) => $"\"{instruction} key=value\" should be used instead of legacy \"{instruction} key value\" format";
    public static string InvalidBaseImagePlatformMessage(string image, string expected, string actual) => $"Base image {image} was pulled with platform {GoQuoted(actual)}, expected {GoQuoted(expected)} for current build";
    public static string RedundantTargetPlatformMessage(string platformVariable) => $"Setting platform to predefined {platformVariable} in FROM is redundant as this is the default behavior";
    public static string SecretsUsedInArgOrEnvMessage(string instruction, string key) => $"Do not use ARG or ENV instructions for sensitive data ({instruction} {GoQuoted(key)})";
    public static string InvalidDefaultArgInFromMessage(string baseName) => $"Default value for ARG {baseName} results in empty or invalid base image name";
    public static string FromPlatformFlagConstDisallowedMessage(string platform) => $"FROM --platform flag should not use constant value {GoQuoted(platform)}";
    public static string CopyIgnoredFileMessage(string command, string file) => $"Attempting to {command} file {GoQuoted(file)} that is excluded by .dockerignore";
    public static string InvalidDefinitionDescriptionMessage(string instruction, string name) => $"Comment for {instruction} should follow the format: `# {name} <description>`";
    public static string ExposeProtoCasingMessage(string port) => $"Defined protocol '{port}' in EXPOSE instruction should be lowercase";
    public static string ExposeInvalidFormatMessage(string port) => $"EXPOSE instruction should not define an IP address or host-port mapping, found '{port}'";

    /// <summary>Go's <c>%q</c>, which these messages use for names and paths.</summary>
    private static string GoQuoted(string text) => Syntax.GoQuote.Quote(text);
}
