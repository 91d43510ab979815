'use client';
import { AuthForm } from '../../components/AuthForm.tsx';

export default function SignUpPage() {
  return <AuthForm mode="sign-up" />;
}
