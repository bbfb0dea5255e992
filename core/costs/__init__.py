"""What messages cost: token usage, prices (genai-prices), budgets, prompt-cache accounting and cost views."""
