using RouterAdmin.Firewall.Apply;
using RouterAdmin.Refusals;

namespace RouterAdmin.Api;

/// <summary>The one mapping of refusals to RFC 9457 problem details, with the field names the pages use.</summary>
internal static class RefusalProblems
{
    public static IResult ToProblem(this Refusal refusal) => refusal switch
    {
        InvalidInput invalid => Results.ValidationProblem(invalid.Errors.ByField.ToDictionary(p => p.Key, p => p.Value.ToArray())),
        Forbidden => Results.Problem(refusal.Message, statusCode: StatusCodes.Status403Forbidden),
        TooManyAttempts => Results.Problem(refusal.Message, statusCode: StatusCodes.Status429TooManyRequests),
        // 409 rather than 412: the fingerprint travels in the body, not in an HTTP precondition header.
        OutdatedPreview => Results.Problem(refusal.Message, statusCode: StatusCodes.Status409Conflict, title: "The preview is out of date"),
        // 503: the request was fine and may be sent again once the disk takes writes; nothing of it was stored.
        StorageUnavailable => Results.Problem(refusal.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "The database cannot be written"),
        _ => Results.Problem(refusal.Message, statusCode: StatusCodes.Status409Conflict),
    };

    /// <summary>An apply the engine refused before touching anything (a result, not an exception), as the same problem.</summary>
    public static IResult ToProblem(this ApplyResult refused) => (refused.Refusal ?? new Conflict(refused.Message)).ToProblem();
}
