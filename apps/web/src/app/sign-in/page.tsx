'use client';
import { AuthForm } from '../../components/AuthForm.tsx';

export default function SignInPage() {
  return <AuthForm mode="sign-in" />;
}
