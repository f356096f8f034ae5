using Microsoft.Extensions.Options;

namespace RouterAdmin.Hosting;

/// <summary>
/// Options bound once from their configuration section and checked before the console does anything: a typo in
/// appsettings.json stops the start with a message naming the key, instead of silently meaning a default.
/// </summary>
internal static class ValidatedOptions
{
    /// <param name="problems">What is wrong with a bound value, each message naming its full configuration key.</param>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section, Func<T, IEnumerable<string>> problems)
        where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new ProblemsValidator<T>(problems));
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    /// <summary>
    /// What a host's start does for <see cref="OptionsBuilderExtensions.ValidateOnStart{TOptions}"/>, for the verbs
    /// and the tests, which use the services without starting a host.
    /// </summary>
    public static void ValidateNow(IServiceProvider services) =>
        services.GetRequiredService<IStartupValidator>().Validate();

    private sealed class ProblemsValidator<T>(Func<T, IEnumerable<string>> problems) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var found = problems(options).ToArray();
            return found.Length == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(found);
        }
    }
}
