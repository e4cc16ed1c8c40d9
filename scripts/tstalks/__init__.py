"""tstalks: build, validate and extend the turkey-syria-talks data package."""
